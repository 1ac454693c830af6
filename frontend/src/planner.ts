// The planner page (#/planner): a choropleth of the area tiles for one area type and one
// indicator, its legend (class bounds, units, counts, no-value and approximate areas), the areas
// ranked by the indicator (copyable as TSV for Excel) and an area's profile.
//
// Open to everyone: the server decides which figures a caller may see (the TileJSON's fields and
// the OGC items carry only those), so the public gets the public indicators and staff get their
// municipality's own figures too. Nothing is computed here from a suppressed figure.
//
// Class breaks are computed from the OGC API items (/ogc/collections/areas/items) of the chosen
// kind, not from the rendered tile features: the tiles hold only what is in view, split and
// repeated across tile edges and simplified for the zoom, so quantiles taken from them would
// change as the map moves. The items give every area of the kind once, with the same values.
import type * as maplibregl from 'maplibre-gl';
import { ApiError, getJson, pages } from './api';
import { problemText } from './problems';
import { GAP_ROLES, bindGap, closeGap, gapHtml } from './gap';
import type { TownChoice } from './gap';
import { META } from './codes';
import { t } from './i18n';
import { paintSwatches } from './csp';
import type { MapView } from './mapview';
import { printPlanner } from './planner_print';

export interface PlannerHost {
  mapView(): MapView;
  announce(text: string): void;
  /** The caller's role ('public' when not signed in): the gap panel is for planner,
   *  coordinator and admin only (the server answers the others 401 or 403). */
  role(): string;
  /** The towns the signed-in user works for (lg_codes); null for every town. */
  userTowns(): string[] | null;
  /** The town of a one-town map (?municipality=), '' for every town. */
  town(): string;
}

export interface AreaProps {
  id: string;
  kind: string;
  name: string;
  code?: string;
  approximate?: boolean;
  vintage?: string;
  [key: string]: unknown;
}

interface AreaFeature {
  type: 'Feature';
  id?: string;
  geometry: unknown;
  properties: AreaProps;
}

/** ColorBrewer YlGnBu (colour-blind safe, sequential), for 3 to 7 classes. */
export const PALETTES: Record<number, string[]> = {
  3: ['#edf8b1', '#7fcdbb', '#2c7fb8'],
  4: ['#ffffcc', '#a1dab4', '#41b6c4', '#225ea8'],
  5: ['#ffffcc', '#a1dab4', '#41b6c4', '#2c7fb8', '#253494'],
  6: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'],
  7: ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#225ea8', '#0c2c84'],
};
const NO_DATA = '#bdbdbd';

/** Keys in the TileJSON that are not figures. */
const NOT_FIGURES = new Set(['id', 'kind', 'code', 'name', 'approximate', 'label_lon', 'label_lat']);

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// ---- pure helpers (exported for the tests and the gap hook) ----

/** Quantile p (0..1) of sorted values: linear interpolation between closest ranks (R type 7,
 *  numpy's default). */
export function quantile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The k−1 inner breaks of k quantile classes; equal breaks (ties) are dropped, so fewer
 *  classes may come back. */
export function quantileBreaks(values: number[], k: number): number[] {
  const s = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < k; i++) {
    const q = quantile(s, i / k);
    if (!out.length || q > out[out.length - 1]) out.push(q);
  }
  if (out.length && s.length && out[0] <= s[0]) out.shift(); // no empty first class
  return out;
}

/** Class of v for inner breaks b: 0 when v < b[0], i when b[i-1] ≤ v < b[i] (MapLibre's step). */
export function classOf(v: number, breaks: number[]): number {
  let i = 0;
  while (i < breaks.length && v >= breaks[i]) i++;
  return i;
}

export function isRatio(key: string): boolean {
  return key.endsWith('_rate');
}

export function isEstimate(key: string): boolean {
  return key.endsWith('_estimate');
}

/** A figure as shown: ratios in % (1 decimal), estimates with 1 decimal, counts as integers. */
export function formatValue(key: string, v: number): string {
  if (isRatio(key)) return `${(v * 100).toFixed(1)}%`;
  if (isEstimate(key)) return v.toLocaleString('ja-JP', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return Math.round(v).toLocaleString('ja-JP');
}

export function figureLabel(key: string): string {
  const label = t(`figure.${key}`);
  return label === `figure.${key}` ? key : label;
}

function unitLabel(key: string): string {
  if (isRatio(key)) return '%';
  const u = t(`figure_unit.${key}`);
  return u === `figure_unit.${key}` ? t('planner.unit_person') : u;
}

/** The mark of a figure without a value, in words: 秘匿 / 合算（…に含む）/ 該当なし. */
export function statusText(status: string, mergedName?: string): string {
  if (status === 'suppressed') return t('planner.status_suppressed');
  if (status === 'absorbed') return mergedName ? t('planner.status_absorbed_in', { name: mergedName }) : t('planner.status_absorbed');
  if (status === 'merged') return mergedName ? t('planner.status_merged_with', { name: mergedName }) : t('planner.status_merged');
  return t('planner.status_missing');
}

/** The "who is left out" layer of the gap analysis panel (gap.ts): areas with `target`,
 *  `covered` and `uncovered` as a layer on the map, darker with more people left out. Returns the
 *  number of areas drawn. Removed with the page (closePlanner → closeGap). */
export function showGapLayer(map: maplibregl.Map, fc: { type: 'FeatureCollection'; features: any[] } | null): number {
  const features = (fc?.features ?? []).filter(
    (f) => f?.geometry && typeof f.properties?.uncovered === 'number' && f.properties.uncovered > 0,
  );
  const data = { type: 'FeatureCollection', features } as any;
  const src = map.getSource('gap-uncovered') as maplibregl.GeoJSONSource | undefined;
  if (src) src.setData(data);
  else {
    map.addSource('gap-uncovered', { type: 'geojson', data });
    const max = Math.max(1, ...features.map((f) => f.properties.uncovered as number));
    map.addLayer({
      id: 'gap-uncovered-fill',
      type: 'fill',
      source: 'gap-uncovered',
      paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'uncovered'], 0, '#fee0d2', max, '#a50f15'],
        'fill-opacity': 0.6,
      },
    }, map.getLayer('planner-label') ? 'planner-label' : undefined);
    map.addLayer({
      id: 'gap-uncovered-line',
      type: 'line',
      source: 'gap-uncovered',
      paint: { 'line-color': '#67000d', 'line-width': 1 },
    }, map.getLayer('planner-label') ? 'planner-label' : undefined);
  }
  return features.length;
}

// ---- state ----

let host: PlannerHost;
let root: HTMLElement;
let fields: string[] = []; // the figures the caller may see (TileJSON), in its order
let items: AreaFeature[] = [];
let byId = new Map<string, AreaFeature>();
let kind = '';
let key = '';
let method: 'quantile' | 'fixed' = 'quantile';
let classes = 5;
let fixedBreaks: number[] = [];
let breaks: number[] = [];
let order: 'desc' | 'asc' = 'desc';
let selected: string | null = null;
let seq = 0;
let wide = false; // the full-width table view

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const LAYERS = ['planner-fill', 'planner-nodata', 'planner-line', 'planner-approx', 'planner-selected', 'planner-label'];
/** From this zoom the areas' names are drawn (below it they cover one another). */
export const LABEL_MIN_ZOOM = 13;
/** Local fonts, as the server's basemap names them (tiles/basemap.cpp): no glyphs are fetched. */
const LABEL_FONTS = ['Noto Sans CJK JP', 'IPAexGothic', 'IPAGothic', 'Yu Gothic', 'Meiryo', 'Hiragino Sans'];
const HIDDEN_WHILE_PLANNING = ['resources-point', 'resources-cluster', 'numbered', 'point'];

/** Every area the caller may see, every page of the OGC API's items (api.pages). */
function loadItems(): Promise<AreaFeature[]> {
  return pages<{ features?: AreaFeature[]; numberMatched?: number }, AreaFeature>(
    '/ogc/collections/areas/items?f=json&limit=1000',
    (page) => page.features ?? [],
    { cache: 'no-store' },
  );
}

function kindsPresent(): string[] {
  const kinds = [...new Set(items.map((f) => f.properties.kind))];
  // the finest first: 町丁・字等, then the 丁目/大字 of older stores, then the rest by id
  const rank = (k: string): number => ['small_area', 'chome', 'oaza'].indexOf(k) >>> 0;
  return kinds.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function kindLabel(k: string): string {
  const l = t(`area_kind.${k}`);
  return l === `area_kind.${k}` ? k : l;
}

function ofKind(): AreaFeature[] {
  return items.filter((f) => f.properties.kind === kind);
}

function valueOf(f: AreaFeature): number | null {
  const v = f.properties[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function computeBreaks(): void {
  const values = ofKind().map(valueOf).filter((v): v is number => v !== null);
  breaks = method === 'fixed' ? [...fixedBreaks].sort((a, b) => a - b).filter((b, i, a) => i === 0 || b > a[i - 1]) : quantileBreaks(values, classes);
}

function palette(): string[] {
  const n = Math.max(3, Math.min(7, breaks.length + 1));
  const p = PALETTES[n];
  return breaks.length + 1 < 3 ? p.slice(0, breaks.length + 1) : p;
}

/** The fill-color expression: a step over the indicator; areas without a value are grey (and
 *  hatched by their own layer). */
function fillColor(): any {
  const p = palette();
  const step: any[] = ['step', ['to-number', ['get', key]], p[0]];
  breaks.forEach((b, i) => step.push(b, p[i + 1]));
  return ['case', ['!', ['has', key]], NO_DATA, step];
}

function hatch(): ImageData {
  const size = 8;
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d')!;
  g.fillStyle = '#e0e0e0';
  g.fillRect(0, 0, size, size);
  g.strokeStyle = '#555555';
  g.lineWidth = 1.5;
  g.beginPath();
  g.moveTo(0, size);
  g.lineTo(size, 0);
  g.moveTo(-2, 2);
  g.lineTo(2, -2);
  g.moveTo(size - 2, size + 2);
  g.lineTo(size + 2, size - 2);
  g.stroke();
  return g.getImageData(0, 0, size, size);
}

function removeLayers(map: maplibregl.Map): void {
  for (const id of LAYERS) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource('planner-areas')) map.removeSource('planner-areas');
  if (map.getSource('planner-labels')) map.removeSource('planner-labels');
}

/** The names of the areas of the chosen kind, one at each area's representative point. */
function labelData(): any {
  return {
    type: 'FeatureCollection',
    features: ofKind()
      .filter((f) => typeof f.properties.label_lon === 'number' && typeof f.properties.label_lat === 'number')
      .map((f) => ({
        type: 'Feature',
        properties: { id: f.properties.id, name: f.properties.name },
        geometry: { type: 'Point', coordinates: [f.properties.label_lon, f.properties.label_lat] },
      })),
  };
}

function setResourceLayers(map: maplibregl.Map, visible: boolean): void {
  for (const id of HIDDEN_WHILE_PLANNING) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }
}

/** The areas' tiles with the one figure the map colours by (tiles carry only the figures asked
 *  for: small whatever the size of the statistics table). */
function areasUrl(): string {
  return `${window.location.origin}/tiles/areas.json?fields=${encodeURIComponent(key)}`;
}

/** The tile layers, on a source of their own (fetched afresh for the caller's role). */
function addLayers(map: maplibregl.Map): void {
  removeLayers(map);
  if (!map.hasImage('planner-hatch')) map.addImage('planner-hatch', hatch());
  map.addSource('planner-areas', { type: 'vector', url: areasUrl() });
  const before = map.getLayer('chome-line') ? 'chome-line' : undefined;
  const base = { source: 'planner-areas', 'source-layer': 'areas' } as const;
  map.addLayer({ id: 'planner-fill', type: 'fill', ...base, paint: { 'fill-color': NO_DATA, 'fill-opacity': 0.8 } } as any, before);
  map.addLayer(
    { id: 'planner-nodata', type: 'fill', ...base, paint: { 'fill-pattern': 'planner-hatch', 'fill-opacity': 0.9 } } as any,
    before,
  );
  map.addLayer({ id: 'planner-line', type: 'line', ...base, paint: { 'line-color': '#333333', 'line-width': 0.8 } } as any, before);
  map.addLayer(
    {
      id: 'planner-approx',
      type: 'line',
      ...base,
      paint: { 'line-color': '#000000', 'line-width': 2, 'line-dasharray': [2, 2] },
    } as any,
    before,
  );
  map.addLayer(
    { id: 'planner-selected', type: 'line', ...base, paint: { 'line-color': '#a33a00', 'line-width': 3.5 } } as any,
    before,
  );
  // The areas' names at readable zooms, dark on a white halo over any class colour.
  map.addSource('planner-labels', { type: 'geojson', data: labelData() });
  map.addLayer({
    id: 'planner-label',
    type: 'symbol',
    source: 'planner-labels',
    minzoom: LABEL_MIN_ZOOM,
    layout: { 'text-field': ['get', 'name'], 'text-font': LABEL_FONTS, 'text-size': 13, 'text-padding': 2 },
    paint: { 'text-color': '#1a1a1a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 },
  } as any);
  applyStyle();
}

function applyStyle(): void {
  const map = host.mapView().map;
  if (!map.getLayer('planner-fill')) return;
  const ofK = ['==', ['get', 'kind'], kind];
  map.setFilter('planner-fill', ofK as any);
  map.setPaintProperty('planner-fill', 'fill-color', fillColor());
  map.setFilter('planner-nodata', ['all', ofK, ['!', ['has', key]]] as any);
  map.setFilter('planner-line', ofK as any);
  map.setFilter('planner-approx', ['all', ofK, ['==', ['get', 'approximate'], true]] as any);
  map.setFilter('planner-selected', ['==', ['get', 'id'], selected ?? ''] as any);
  (map.getSource('planner-labels') as maplibregl.GeoJSONSource | undefined)?.setData(labelData());
}

// ---- the page ----

function controlsHtml(): string {
  const kinds = kindsPresent();
  return `
    <div class="match-head">
      <h2 id="planner-title" tabindex="-1">${esc(t('planner.title'))}</h2>
      <a href="#/" id="planner-close" class="button-link">${esc(t('planner.back'))}</a>
    </div>
    <p class="hint" id="planner-scope">${esc(t('planner.scope'))}</p>
    <form id="planner-form" class="match-form planner-form" novalidate>
      <div class="row two">
        <div class="field">
          <label for="p-kind">${esc(t('planner.kind'))}</label>
          <select id="p-kind">${kinds.map((k) => `<option value="${esc(k)}"${k === kind ? ' selected' : ''}>${esc(kindLabel(k))}</option>`).join('')}</select>
        </div>
        <div class="field">
          <label for="p-key">${esc(t('planner.indicator'))}</label>
          <select id="p-key">${fields
            .map((f) => `<option value="${esc(f)}"${f === key ? ' selected' : ''}>${esc(figureLabel(f))}</option>`)
            .join('')}</select>
        </div>
      </div>
      <div class="row two">
        <div class="field">
          <label for="p-method">${esc(t('planner.method'))}</label>
          <select id="p-method">
            <option value="quantile"${method === 'quantile' ? ' selected' : ''}>${esc(t('planner.method_quantile'))}</option>
            <option value="fixed"${method === 'fixed' ? ' selected' : ''}>${esc(t('planner.method_fixed'))}</option>
          </select>
        </div>
        <div class="field">
          <label for="p-classes">${esc(t('planner.classes'))}</label>
          <select id="p-classes">${[4, 5, 6, 7]
            .map((n) => `<option value="${n}"${n === classes ? ' selected' : ''}>${n}</option>`)
            .join('')}</select>
        </div>
      </div>
      <div class="field" id="p-fixed-field"${method === 'fixed' ? '' : ' hidden'}>
        <label for="p-breaks">${esc(t('planner.breaks'))}</label>
        <p class="hint" id="p-breaks-hint">${esc(t('planner.breaks_hint'))}</p>
        <div class="inline">
          <input type="text" id="p-breaks" inputmode="decimal" aria-describedby="p-breaks-hint p-breaks-error" autocomplete="off">
          <button type="button" id="p-breaks-apply">${esc(t('planner.breaks_apply'))}</button>
        </div>
        <p class="field-error" id="p-breaks-error" role="alert"></p>
      </div>
    </form>
    <section class="planner-legend" aria-labelledby="p-legend-title">
      <h3 id="p-legend-title"></h3>
      <ul id="p-legend" class="choropleth-legend"></ul>
      <p class="hint" id="p-legend-note"></p>
    </section>
    <section id="p-profile" class="planner-profile" hidden aria-labelledby="p-profile-name" tabindex="-1"></section>
    <section class="planner-rank" aria-labelledby="p-rank-title">
      <h3 id="p-rank-title"></h3>
      <div class="inline">
        <label for="p-order">${esc(t('planner.order'))}</label>
        <select id="p-order">
          <option value="desc"${order === 'desc' ? ' selected' : ''}>${esc(t('planner.order_desc'))}</option>
          <option value="asc"${order === 'asc' ? ' selected' : ''}>${esc(t('planner.order_asc'))}</option>
        </select>
        <button type="button" id="p-copy">${esc(t('planner.copy_tsv'))}</button>
        <button type="button" id="p-print">${esc(t('planner_print.button'))}</button>
        <button type="button" id="p-wide" aria-pressed="${wide ? 'true' : 'false'}">${esc(t('planner.table_wide'))}</button>
      </div>
      <div class="table-wrap"><table id="p-rank" class="rank-table"></table></div>
    </section>
    ${gapAllowed() ? gapHtml(fields, townChoice()) : ''}`;
}

/** The towns the gap panel offers: the store's municipalities the user works for; the whole
 *  region only to a user of every town. Starts on the map's town, else a scoped user's first. */
function townChoice(): TownChoice {
  const scoped = host.userTowns();
  const choices = (META?.municipalities ?? [])
    .filter((m) => !scoped || scoped.includes(m.code))
    .map((m) => ({ code: m.code, name: m.short_name ?? m.name }));
  const current = host.town();
  const initial = choices.some((c) => c.code === current) ? current : scoped ? (choices[0]?.code ?? '') : '';
  return { choices, region: !scoped, initial };
}

function gapAllowed(): boolean {
  return GAP_ROLES.has(host.role());
}

function bindGapPanel(): void {
  if (!gapAllowed()) return;
  bindGap({
    map: () => host.mapView().map,
    announce: (text) => host.announce(text),
    showLayer: (fc) => {
      const map = host.mapView().map;
      // The answer replaces the choropleth's fill (two fills over each other cannot be read);
      // its outlines stay. clearGapMap gives the fill back.
      for (const id of ['planner-fill', 'planner-nodata']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', fc ? 'none' : 'visible');
      return showGapLayer(map, fc);
    },
    cleared: () => {
      const map = host.mapView().map;
      for (const id of ['planner-fill', 'planner-nodata']) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'visible');
    },
  });
}

/** A class bound: as the figure is shown, but a fractional bound of a count keeps one decimal
 *  (a rounded bound would put a value in the wrong class). */
function formatBound(v: number): string {
  if (!isRatio(key) && !Number.isInteger(v)) {
    return v.toLocaleString('ja-JP', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }
  return formatValue(key, v);
}

function renderLegend(): void {
  const areas = ofKind();
  const values = areas.map(valueOf).filter((v): v is number => v !== null);
  const p = palette();
  const min = values.length ? Math.min(...values) : NaN;
  const max = values.length ? Math.max(...values) : NaN;
  const counts = new Array(breaks.length + 1).fill(0);
  for (const v of values) counts[classOf(v, breaks)]++;
  const rows: string[] = [];
  for (let i = 0; i <= breaks.length; i++) {
    const lo = i === 0 ? min : breaks[i - 1];
    const hi = i === breaks.length ? max : breaks[i];
    const range =
      i === breaks.length
        ? t('planner.class_last', { lo: formatBound(lo), hi: formatBound(hi) })
        : t('planner.class_range', { lo: formatBound(lo), hi: formatBound(hi) });
    rows.push(
      `<li data-class="${i}" data-lo="${lo}" data-hi="${hi}" data-count="${counts[i]}"><span class="swatch" data-swatch="${p[i]}" aria-hidden="true"></span><span class="range">${esc(range)}</span> <span class="n">${esc(t('planner.count', { n: counts[i] }))}</span></li>`,
    );
  }
  const noValue = areas.filter((f) => valueOf(f) === null);
  const byStatus = new Map<string, number>();
  for (const f of noValue) {
    const s = String(f.properties[`${key}_status`] ?? 'missing');
    byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
  }
  const statusWords = [...byStatus].map(([s, n]) => `${statusText(s)} ${n}`).join('、');
  rows.push(
    `<li class="nodata" data-count="${noValue.length}"><span class="swatch hatch" aria-hidden="true"></span><span class="range">${esc(
      t('planner.nodata'),
    )}</span> <span class="n">${esc(t('planner.count', { n: noValue.length }))}</span>${
      statusWords ? `<br><small>${esc(statusWords)}</small>` : ''
    }</li>`,
  );
  const approx = areas.filter((f) => f.properties.approximate === true).length;
  rows.push(
    `<li class="approx" data-count="${approx}"><span class="swatch dashed" aria-hidden="true"></span><span class="range">${esc(
      t('planner.approximate'),
    )}</span> <span class="n">${esc(t('planner.count', { n: approx }))}</span></li>`,
  );
  $('p-legend').innerHTML = rows.join('');
  paintSwatches($('p-legend'));
  $('p-legend-title').textContent = t('planner.legend_title', {
    indicator: figureLabel(key),
    unit: unitLabel(key),
    kind: kindLabel(kind),
  });
  const vintages = [...new Set(areas.map((f) => f.properties.vintage).filter(Boolean))];
  const notes = [
    t(method === 'quantile' ? 'planner.note_quantile' : 'planner.note_fixed', { n: breaks.length + 1, total: values.length }),
  ];
  if (isEstimate(key)) notes.push(t('planner.note_estimate'));
  if (vintages.length) notes.push(t('planner.note_vintage', { v: vintages.join('、') }));
  notes.push(t('planner.note_source'));
  $('p-legend-note').textContent = notes.join(' ');
}

function ranked(): AreaFeature[] {
  const areas = ofKind();
  const withV = areas.filter((f) => valueOf(f) !== null);
  withV.sort((a, b) => (order === 'desc' ? valueOf(b)! - valueOf(a)! : valueOf(a)! - valueOf(b)!) || a.properties.name.localeCompare(b.properties.name, 'ja'));
  const without = areas.filter((f) => valueOf(f) === null).sort((a, b) => a.properties.name.localeCompare(b.properties.name, 'ja'));
  return [...withV, ...without];
}

function cellText(f: AreaFeature, k: string): string {
  const v = f.properties[k];
  if (typeof v === 'number') return formatValue(k, v);
  const s = f.properties[`${k}_status`];
  const merged = f.properties[`${k}_merged`];
  const mergedName = typeof merged === 'string' ? byId.get(merged)?.properties.name ?? merged : undefined;
  return statusText(String(s ?? 'missing'), mergedName);
}

function renderRank(): void {
  const rows = ranked();
  $('p-rank-title').textContent = t('planner.rank_title', { indicator: figureLabel(key), kind: kindLabel(kind) });
  let rank = 0;
  $('p-rank').innerHTML = `<caption class="visually-hidden">${esc(t('planner.rank_caption'))}</caption>
    <thead><tr><th scope="col">${esc(t('planner.col_rank'))}</th><th scope="col">${esc(t('planner.col_name'))}</th><th scope="col">${esc(
      `${figureLabel(key)}（${unitLabel(key)}）`,
    )}</th></tr></thead>
    <tbody>${rows
      .map((f) => {
        const has = valueOf(f) !== null;
        if (has) rank++;
        return `<tr data-id="${esc(f.properties.id)}"${f.properties.id === selected ? ' class="selected"' : ''}><td>${has ? rank : '—'}</td><td><button type="button" class="linkish area-link" data-id="${esc(
          f.properties.id,
        )}">${esc(f.properties.name)}</button>${f.properties.approximate ? ` <small>${esc(t('planner.approx_short'))}</small>` : ''}</td><td class="val">${esc(cellText(f, key))}</td></tr>`;
      })
      .join('')}</tbody>`;
  $('p-rank')
    .querySelectorAll<HTMLButtonElement>('.area-link')
    .forEach((b) => b.addEventListener('click', () => showProfile(b.dataset.id!, true)));
}

/** The ranked table as TSV (Excel pastes it into cells): rank, name, code, the figure, its mark. */
export function rankTsv(): string {
  const clean = (s: unknown) => String(s ?? '').replace(/[\t\r\n]+/g, ' ');
  const head = [t('planner.col_rank'), t('planner.col_name'), t('planner.col_code'), `${figureLabel(key)}（${unitLabel(key)}）`, t('planner.col_note')];
  let rank = 0;
  const lines = ranked().map((f) => {
    const v = valueOf(f);
    if (v !== null) rank++;
    const shown = v === null ? '' : isRatio(key) ? (v * 100).toFixed(1) : isEstimate(key) ? v.toFixed(1) : String(Math.round(v));
    const note = [v === null ? cellText(f, key) : '', f.properties.approximate ? t('planner.approx_short') : '', isEstimate(key) ? t('planner.estimate') : '']
      .filter(Boolean)
      .join(' ');
    return [v === null ? '' : String(rank), f.properties.name, f.properties.code ?? '', shown, note].map(clean).join('\t');
  });
  return [head.join('\t'), ...lines].join('\n') + '\n';
}

async function copyTsv(): Promise<void> {
  const text = rankTsv();
  try {
    await navigator.clipboard.writeText(text);
    host.announce(t('planner.copied'));
  } catch {
    // No clipboard permission: a textarea the user can copy from.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('aria-label', t('planner.copy_tsv'));
    ta.className = 'tsv-fallback';
    ta.readOnly = true;
    $('p-copy').after(ta);
    ta.select();
    host.announce(t('planner.copy_manual'));
  }
}

function showProfile(id: string, focus: boolean): void {
  const f = byId.get(id);
  if (!f) return;
  selected = id;
  const p = f.properties;
  const el = $('p-profile');
  const rowsHtml = fields
    .filter((k) => k in p || `${k}_status` in p)
    .map((k) => {
      const hasV = typeof p[k] === 'number';
      const merged = p[`${k}_merged`];
      const mergedName = typeof merged === 'string' ? byId.get(merged)?.properties.name ?? merged : undefined;
      let text = cellText(f, k);
      if (hasV && p[`${k}_status`] === 'merged') text += ` ${statusText('merged', mergedName)}`;
      const est = isEstimate(k) ? ` <span class="badge">${esc(t('planner.estimate'))}</span>` : '';
      return `<tr data-key="${esc(k)}"${k === key ? ' class="current"' : ''}><th scope="row">${esc(figureLabel(k))}</th><td class="val">${esc(text)}${est}</td></tr>`;
    })
    .join('');
  el.innerHTML = `
    <div class="detail-head">
      <div><h3 id="p-profile-name" tabindex="-1">${esc(p.name)}</h3>
      <p class="kind">${esc(kindLabel(p.kind))}${p.code ? ` · ${esc(p.code)}` : ''}</p></div>
      <button type="button" class="close" id="p-profile-close">${esc(t('detail.close'))}</button>
    </div>
    ${p.approximate ? `<p class="notice approx-note">${esc(t('planner.approx_note'))}</p>` : ''}
    <table class="profile-table"><caption class="visually-hidden">${esc(t('planner.profile_caption', { name: p.name }))}</caption><tbody>${rowsHtml}</tbody></table>
    <p class="hint">${esc(t('planner.note_source'))}${p.vintage ? ` ${esc(t('planner.note_vintage', { v: p.vintage }))}` : ''}</p>`;
  el.hidden = false;
  el.dataset.id = id;
  $('p-profile-close').addEventListener('click', () => {
    const back = id;
    el.hidden = true;
    selected = null;
    applyStyle();
    renderRank();
    $('p-rank').querySelector<HTMLElement>(`button[data-id="${CSS.escape(back)}"]`)?.focus();
  });
  applyStyle();
  renderRank();
  if (focus) $('p-profile-name').focus();
}

function redraw(): void {
  computeBreaks();
  applyStyle();
  renderLegend();
  renderRank();
  if (selected && byId.get(selected)?.properties.kind === kind) showProfile(selected, false);
  else {
    selected = null;
    $('p-profile').hidden = true;
  }
  if (method === 'fixed' && document.activeElement?.id !== 'p-breaks') $<HTMLInputElement>('p-breaks').value = breaksInputText();
  document.body.dataset.plannerDrawn = `${kind}|${key}|${breaks.join(',')}`;
}

function breaksInputText(): string {
  return breaks.map((b) => (isRatio(key) ? +(b * 100).toFixed(2) : +b.toFixed(2))).join(', ');
}

/** The table view: the page over the whole width (the map gives way), or beside the map. */
function setWide(on: boolean): void {
  wide = on;
  document.body.classList.toggle('planner-wide', on);
  $('p-wide')?.setAttribute('aria-pressed', on ? 'true' : 'false');
  if (!on) host.mapView().map.resize(); // drawn again at its size
}

function bind(): void {
  $('p-wide').addEventListener('click', () => setWide(!wide));
  $('p-kind').addEventListener('change', () => {
    kind = $<HTMLSelectElement>('p-kind').value;
    redraw();
  });
  $('p-key').addEventListener('change', () => {
    key = $<HTMLSelectElement>('p-key').value;
    (host.mapView().map.getSource('planner-areas') as maplibregl.VectorTileSource | undefined)?.setUrl(areasUrl());
    if (method === 'fixed') {
      method = 'quantile'; // the old breaks were for another figure
      $<HTMLSelectElement>('p-method').value = 'quantile';
      $('p-fixed-field').hidden = true;
    }
    redraw();
  });
  $('p-classes').addEventListener('change', () => {
    classes = Number($<HTMLSelectElement>('p-classes').value);
    redraw();
  });
  $('p-method').addEventListener('change', () => {
    method = $<HTMLSelectElement>('p-method').value as 'quantile' | 'fixed';
    $('p-fixed-field').hidden = method !== 'fixed';
    if (method === 'fixed') {
      fixedBreaks = [...breaks];
      $<HTMLInputElement>('p-breaks').value = breaksInputText();
    }
    redraw();
  });
  const applyBreaks = () => {
    const parts = $<HTMLInputElement>('p-breaks').value.split(/[,、\s]+/).filter(Boolean);
    const nums = parts.map((s) => Number(s.replace(/[％%]/g, '')));
    const err = $('p-breaks-error');
    if (nums.some((n) => !Number.isFinite(n)) || nums.length < 3 || nums.length > 6) {
      err.textContent = t('planner.breaks_invalid');
      $('p-breaks').setAttribute('aria-invalid', 'true');
      return;
    }
    err.textContent = '';
    $('p-breaks').removeAttribute('aria-invalid');
    fixedBreaks = nums.map((n) => (isRatio(key) ? n / 100 : n));
    redraw();
  };
  $('p-breaks-apply').addEventListener('click', applyBreaks);
  $('p-breaks').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      applyBreaks();
    }
  });
  $('p-order').addEventListener('change', () => {
    order = $<HTMLSelectElement>('p-order').value as 'desc' | 'asc';
    renderRank();
  });
  $('p-copy').addEventListener('click', () => void copyTsv());
  // The planner's own sheet (planner_print.ts): this map, its legend and the ranked table.
  $('p-print').addEventListener('click', () => void printPlanner('portrait', { mapView: host.mapView() }));
}

let clickHandler: ((e: maplibregl.MapMouseEvent) => void) | null = null;

export function initPlanner(el: HTMLElement, h: PlannerHost): void {
  root = el;
  host = h;
}

/** Shows the page: the caller's figures (TileJSON) and areas (OGC API), afresh each time (the
 *  role may have changed). */
export async function openPlanner(): Promise<void> {
  const my = ++seq;
  root.hidden = false;
  root.innerHTML = `<p class="hint">${esc(t('planner.loading'))}</p>`;
  let tj: any;
  try {
    [tj, items] = await Promise.all([getJson<any>('/tiles/areas.json', { cache: 'no-store' }), loadItems()]);
  } catch (e) {
    const detail = e instanceof ApiError ? problemText(e) : (e as Error).message;
    if (my === seq) root.innerHTML = `<p class="notice" role="alert">${esc(t('planner.error', { detail }))}</p>`;
    return;
  }
  if (my !== seq) return;
  byId = new Map(items.map((f) => [f.properties.id, f]));
  const all = tj?.vector_layers?.[0]?.fields ?? {};
  fields = Object.keys(all).filter((k) => all[k] === 'Number' && !NOT_FIGURES.has(k) && !k.endsWith('_status'));
  // The indicators first (the rates, then the estimates), then the counts.
  const rank = (k: string) => (isRatio(k) ? 0 : isEstimate(k) ? 1 : 2);
  fields.sort((a, b) => rank(a) - rank(b));
  const kinds = kindsPresent();
  if (!kinds.includes(kind)) kind = kinds[0] ?? '';
  if (!fields.includes(key)) key = fields.includes('aging_rate') ? 'aging_rate' : fields[0] ?? '';
  selected = null;
  closeGap(); // a reopening (another role) starts without the last answer
  root.innerHTML = controlsHtml();
  bind();
  document.body.classList.toggle('planner-wide', wide);
  bindGapPanel();
  const map = host.mapView().map;
  addLayers(map);
  setResourceLayers(map, false);
  if (!clickHandler) {
    clickHandler = (e) => {
      if (!plannerOpen()) return;
      const hit = map.queryRenderedFeatures(e.point, { layers: ['planner-fill', 'planner-nodata'] });
      const id = hit[0]?.properties?.id;
      if (typeof id === 'string') showProfile(id, true);
    };
    map.on('click', clickHandler);
  }
  redraw();
  $('planner-title').focus();
  document.body.dataset.plannerReady = String(my);
}

export function closePlanner(): void {
  if (!root) return;
  seq++;
  root.hidden = true;
  root.innerHTML = '';
  selected = null;
  document.body.classList.remove('planner-wide');
  closeGap(); // the uncovered layer and the chosen venues go with the page
  const map = host.mapView().map;
  removeLayers(map);
  setResourceLayers(map, true);
  delete document.body.dataset.plannerReady;
  delete document.body.dataset.plannerDrawn;
}

/** The language changed: the page again in it, keeping the choices. */
export function relabel(): void {
  if (!plannerOpen() || !$('planner-form')) return;
  const keep = selected;
  const fixed = $<HTMLInputElement>('p-breaks').value;
  root.innerHTML = controlsHtml();
  bind();
  document.body.classList.toggle('planner-wide', wide);
  bindGapPanel();
  $<HTMLInputElement>('p-breaks').value = fixed;
  selected = keep;
  redraw();
}

export function plannerOpen(): boolean {
  return !!root && !root.hidden;
}
