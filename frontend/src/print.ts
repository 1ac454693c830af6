// The meeting's map sheet: an A4 page (portrait or landscape) for a 町内会 or a 地域ケア会議 —
// a title the user types before printing, the conditions of the list, a map fitted to every
// listed place with numbered badges (each ≥ 10 pt on paper, never under another mark: real text
// in an SVG over the map image, moved beside its place with a leader line where places crowd),
// a legend of what is drawn, a scale bar and a north arrow, the numbered list (two columns in
// portrait, three below the map in landscape) and the credits of what was drawn only.
import * as maplibregl from 'maplibre-gl';
import * as api from './api';
import type { Feature } from './api';
import { addLocalBasemap, type LocalBasemap } from './basemap';
import { META, kindStyle } from './codes';
import { lang, t } from './i18n';
import type { MapView } from './mapview';
import { parseState, type State } from './state';
import { setPageRule } from './csp';
import {
  badgeFont, drawn, esc, longDate, metresPerPixel, placeBadges, scaleAndNorth, sheetDialog, warekiDate,
} from './sheet';

type Orientation = 'portrait' | 'landscape';

function filterSummary(s: State): string {
  const parts: string[] = [];
  if (s.kind.length) parts.push(s.kind.map((k) => t(`kind.${k}`)).join('・'));
  if (s.activity) parts.push(t(`activity.${s.activity}`));
  if (s.target) parts.push(t(`target.${s.target}`));
  if (s.day) parts.push(t(`day.${s.day}`) + (s.time ? ` ${t(`filters.time_${s.time}`)}` : ''));
  if (s.barrier_free) parts.push(t('filters.barrier_free'));
  if (s.has_vacancy) parts.push(t('filters.has_vacancy'));
  if (s.q) parts.push(`「${s.q}」`);
  return parts.length ? t('print.filters', { text: parts.join('、') }) : t('print.no_filters');
}

/** The map's size on paper (mm) per orientation (A4 less 10 mm margins: 190 × 277). */
const MAP_MM: Record<Orientation, [number, number]> = { portrait: [190, 150], landscape: [186, 168] };
/** CSS pixels of the off-screen map per printed millimetre (about the screen's own scale). */
const PX_PER_MM = 4;

export interface PrintContext {
  mapView: MapView;
  items: Feature[];
  state: State;
  local: LocalBasemap | null;
  title?: string;
}

/** The title a sheet starts with: 「<町> 地域の社会資源マップ」 when one municipality is loaded. */
export function defaultTitle(): string {
  // The towns the page shows: one town's map (?municipality=), or every town of the instance.
  const shown = parseState(location.search).municipality;
  const towns = (META?.municipalities ?? []).filter((m) => m.name && (!shown || m.code === shown));
  return towns.length === 1
    ? t('print.default_title', { town: towns[0].short_name ?? towns[0].name })
    : t('app.title');
}

let lastTitle = '';

/**
 * The print dialog: the sheet's title (editable; kept for the next print of this page, never
 * stored), then the print. `print` receives the typed title.
 */
export function openPrintDialog(orientation: Orientation, print: (title: string) => void): void {
  const dlg = sheetDialog('print-dialog');
  dlg.innerHTML = `<form method="dialog" id="print-form">
      <h2 id="print-dialog-title">${esc(t(`print.dialog_${orientation}`))}</h2>
      <label for="print-title">${esc(t('print.title_label'))}</label>
      <input id="print-title" type="text" maxlength="80" autocomplete="off">
      <p class="hint">${esc(t('print.title_hint'))}</p>
      <div class="inline">
        <button type="submit" id="print-go" class="primary">${esc(t('print.go'))}</button>
        <button type="button" id="print-cancel">${esc(t('edit.cancel'))}</button>
      </div>
    </form>`;
  const input = dlg.querySelector<HTMLInputElement>('#print-title')!;
  input.value = lastTitle || defaultTitle();
  dlg.querySelector('#print-cancel')!.addEventListener('click', () => dlg.close());
  dlg.querySelector('#print-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    lastTitle = input.value.trim();
    dlg.close();
    print(lastTitle || defaultTitle());
  });
  dlg.showModal();
  input.select();
}

interface Drawn {
  image: string;
  zoom: number;
  lat: number;
  project: (p: [number, number]) => [number, number]; // → CSS px of the off-screen map
  gsi: boolean; // the configured raster basemap drew at least one tile
  local: 'extract' | 'network' | null; // the server's own basemap was drawn
  localAttribution: string;
}

/**
 * Draws the basemap (what the page's map has: the configured raster, else the server's own),
 * the 町丁 and municipality lines off screen at the sheet's size, fitted to `points`. Which
 * basemap actually drew tiles is reported, for the credits.
 */
async function drawMap(live: maplibregl.Map, local: LocalBasemap | null, points: [number, number][], wPx: number, hPx: number): Promise<Drawn> {
  const box = document.createElement('div');
  box.style.cssText = `position:fixed;left:-${wPx + 200}px;top:0;width:${wPx}px;height:${hPx}px;`;
  box.setAttribute('aria-hidden', 'true');
  document.body.append(box);
  const style = live.getStyle();
  const keep = (id: string) => ['background', 'basemap', 'chome-line', 'municipality-line'].includes(id) || id.startsWith('bm-');
  const layers = style.layers
    .filter((l) => keep(l.id))
    .map((l) => (l.id === 'chome-line' ? { ...l, minzoom: 0 } : l)) as maplibregl.LayerSpecification[];
  const used = new Set(layers.map((l) => (l as { source?: string }).source).filter(Boolean) as string[]);
  const sources = Object.fromEntries(Object.entries(style.sources).filter(([id]) => used.has(id)));
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  let [w, s, e, n] = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  if (!points.length) {
    const b = live.getBounds();
    [w, s, e, n] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  }
  // One place alone: a neighbourhood around it, not the street corner.
  if (e - w < 0.004 && n - s < 0.003) {
    const [cx, cy] = [(w + e) / 2, (s + n) / 2];
    [w, s, e, n] = [cx - 0.004, cy - 0.003, cx + 0.004, cy + 0.003];
  }
  const pad = 12 * PX_PER_MM; // a badge and its leader line fit inside at the edges
  const map = new maplibregl.Map({
    container: box,
    style: { version: 8, ...(style.glyphs ? { glyphs: style.glyphs } : {}), sources, layers },
    bounds: [w, s, e, n],
    fitBoundsOptions: { padding: pad, maxZoom: 17 },
    interactive: false,
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    fadeDuration: 0,
    pixelRatio: 2, // sharp on paper
  });
  // The configured raster basemap (GSI) is the source 'basemap' of type raster; the server's own
  // basemap may use the same source id for its vector tiles.
  const raster = (sources.basemap as { type?: string } | undefined)?.type === 'raster';
  let gsiTiles = 0;
  map.on('sourcedata', (ev) => {
    if (raster && ev.sourceId === 'basemap' && (ev as { tile?: { state?: string } }).tile?.state === 'loaded') gsiTiles++;
  });
  map.on('error', () => {
    /* an unreachable tile: the credits say only what was drawn */
  });
  try {
    await drawn(map);
    let localDrawn: Drawn['local'] = layers.some((l) => l.id.startsWith('bm-')) && local ? local.kind : null;
    if (raster && !gsiTiles && map.getLayer('basemap')) {
      // Nothing of the raster basemap came: drop it, and draw the server's own in its place.
      map.removeLayer('basemap');
      map.removeSource('basemap');
      if (local && !localDrawn) {
        addLocalBasemap(map, local, 'chome-line');
        localDrawn = local.kind;
      }
      map.triggerRepaint();
      await drawn(map);
    }
    const c = map.getCenter();
    return {
      image: map.getCanvas().toDataURL('image/png'),
      zoom: map.getZoom(),
      lat: c.lat,
      project: (p) => {
        const q = map.project(p);
        return [q.x, q.y];
      },
      gsi: gsiTiles > 0,
      local: localDrawn,
      localAttribution: local?.attribution ?? '',
    };
  } finally {
    map.remove();
    box.remove();
  }
}

/** The credits of what the sheet draws: the data of its places and lines, and its basemap. */
async function drawnCredits(d: Drawn): Promise<string[]> {
  const drawnUses = new Set(['resources', 'boundaries', 'areas']);
  if (d.local === 'network') drawnUses.add('walking_network');
  const out: string[] = [];
  for (const c of await api.credits().catch(() => [] as api.Credit[])) {
    const uses = c.uses.filter((u) => drawnUses.has(u));
    if (!uses.length) continue;
    out.push(`${esc(c.attribution)}<small>（${esc(uses.map((u) => t(`credits.use.${u}`)).join('・'))}）</small>`);
  }
  if (d.gsi) out.push(esc(t('credits.basemap')));
  if (d.local === 'network') out.push(esc(t('credits.basemap_network', { source: d.localAttribution })));
  else if (d.local === 'extract') out.push(esc(t('credits.basemap_local')));
  if (!d.gsi && !d.local) out.push(esc(t('print.no_basemap')));
  out.push(esc(t('credits.map')));
  return out;
}

/** A phone number that never breaks across lines. */
function phone(s: string): string {
  return `<span class="tel">${esc(s)}</span>`;
}

export async function printSheet(orientation: Orientation, ctx: PrintContext, openDialog = true): Promise<void> {
  setPageRule(`@page { size: A4 ${orientation}; margin: 10mm; }`);
  document.body.dataset.print = orientation;
  const [wMm, hMm] = MAP_MM[orientation];
  const located = ctx.items.filter((f) => f.geometry?.type === 'Point');
  const points = located.map((f) => f.geometry.coordinates as [number, number]);
  const extra = ctx.state.pt ? [ctx.state.pt] : [];
  const drawn = await drawMap(ctx.mapView.map, ctx.local, [...points, ...extra], wMm * PX_PER_MM, hMm * PX_PER_MM);
  const toMm = (p: [number, number]): [number, number] => {
    const [x, y] = drawn.project(p);
    return [x / PX_PER_MM, y / PX_PER_MM];
  };
  const mPerMm = metresPerPixel(drawn.zoom, drawn.lat) * PX_PER_MM;
  const frame = scaleAndNorth(wMm, hMm, mPerMm, lang());
  const rings = ctx.state.pt ? [{ x: toMm(ctx.state.pt)[0], y: toMm(ctx.state.pt)[1], r: 2.6 }] : [];
  const numbered = ctx.items
    .map((f, i) => ({ f, n: i + 1 }))
    .filter(({ f }) => f.geometry?.type === 'Point')
    .map(({ f, n }) => {
      const [x, y] = toMm(f.geometry.coordinates as [number, number]);
      return { n, x, y, kind: String(f.properties.kind) };
    });
  const { placed, crowded } = placeBadges(numbered, wMm, hMm, rings, frame.boxes);
  const kindOf = new Map(numbered.map((b) => [b.n, b.kind]));
  const svg = `<svg class="print-overlay" viewBox="0 0 ${wMm} ${hMm}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">
    ${rings.map((g) => `<circle class="base-point" cx="${g.x}" cy="${g.y}" r="${g.r}" fill="#ffffff" stroke="#c00000" stroke-width="1.2"/>`).join('')}
    ${placed.filter((b) => b.moved).map((b) => `<line class="leader" x1="${b.x}" y1="${b.y}" x2="${b.bx}" y2="${b.by}" stroke="#222222" stroke-width="0.35"/>`).join('')}
    ${placed.filter((b) => b.moved).map((b) => `<circle class="dot" cx="${b.x}" cy="${b.y}" r="0.9" fill="${kindStyle(kindOf.get(b.n)!).color}" stroke="#ffffff" stroke-width="0.3"/>`).join('')}
    ${placed
      .map(
        (b) => `<g class="badge" data-n="${b.n}" data-cx="${b.bx.toFixed(2)}" data-cy="${b.by.toFixed(2)}" data-r="${b.r}">
        <circle cx="${b.bx}" cy="${b.by}" r="${b.r}" fill="${kindStyle(kindOf.get(b.n)!).color}" stroke="#ffffff" stroke-width="0.5"/>
        <text x="${b.bx}" y="${b.by}" dy="0.36em" text-anchor="middle" font-size="${badgeFont(b.n)}" font-weight="700" fill="#ffffff">${b.n}</text></g>`,
      )
      .join('')}
    ${frame.svg}
  </svg>`;
  const kinds = [...new Set(numbered.map((b) => b.kind))];
  const legend = [
    ...kinds.map(
      (k) =>
        `<li><svg class="lg" viewBox="0 0 8 8" aria-hidden="true"><circle cx="4" cy="4" r="3.5" fill="${kindStyle(k).color}"/></svg>${esc(t(`kind.${k}`))}</li>`,
    ),
    rings.length
      ? `<li><svg class="lg" viewBox="0 0 8 8" aria-hidden="true"><circle cx="4" cy="4" r="2.6" fill="#ffffff" stroke="#c00000" stroke-width="1.2"/></svg>${esc(t('legend.point'))}</li>`
      : '',
    placed.some((b) => b.moved)
      ? `<li><svg class="lg" viewBox="0 0 8 8" aria-hidden="true"><line x1="1" y1="7" x2="6" y2="2" stroke="#222" stroke-width="0.5"/><circle cx="1.2" cy="6.8" r="0.9" fill="#555"/></svg>${esc(t('print.legend_leader'))}</li>`
      : '',
    `<li><svg class="lg" viewBox="0 0 8 8" aria-hidden="true"><line x1="0" y1="4" x2="8" y2="4" stroke="#7d7d7d" stroke-width="0.6" stroke-dasharray="1.5 1"/></svg>${esc(t('print.legend_chome'))}</li>`,
    `<li><svg class="lg" viewBox="0 0 8 8" aria-hidden="true"><line x1="0" y1="4" x2="8" y2="4" stroke="#2b2b5e" stroke-width="1.4"/></svg>${esc(t('legend.boundary'))}</li>`,
  ].join('');
  const unplaced = ctx.items.length - located.length;
  const extent =
    t('print.extent_fitted', { n: located.length }) +
    (unplaced ? t('print.extent_unplaced', { n: unplaced }) : '') +
    // Too many places in too little paper: said, not hidden.
    (crowded ? t('print.crowded', { n: crowded }) : '');
  const rows = ctx.items
    .map((f, i) => {
      const p = f.properties;
      const sched = (p.schedules ?? []).map((s: any) => esc(s.text)).join('<br>');
      const contact = [p.phone ? phone(p.phone) : '', p.email ? esc(p.email) : ''].filter(Boolean).join('<br>');
      return `<tr><td class="n">${i + 1}</td><td><b>${esc(p.name)}</b> <small>${esc(t(`kind.${p.kind}`))}</small>${
        p.address ? `<br>${esc(p.address)}` : ''
      }</td><td>${sched}${contact ? `<div class="contact">${contact}</div>` : ''}</td></tr>`;
    })
    .join('');
  const now = new Date();
  const date = lang() === 'ja' ? `${longDate(now)}（${warekiDate(now)}）` : longDate(now, lang());
  const credits = await drawnCredits(drawn);
  const sheet = document.getElementById('print-sheet')!;
  sheet.dataset.gsi = drawn.gsi ? '1' : '0';
  sheet.dataset.crowded = String(crowded);
  sheet.innerHTML = `
    <header class="sheet-head">
      <h1 class="sheet-title">${esc(ctx.title ?? defaultTitle())}</h1>
      <p class="sheet-date">${esc(t('print.as_of', { date }))}</p>
      <p class="filters-line">${esc(filterSummary(ctx.state))}</p>
    </header>
    <div class="sheet-top">
      <figure class="print-figure">
        <img class="print-map" alt="${esc(t('map.label'))}" src="${drawn.image}">${svg}
      </figure>
      <div class="sheet-side">
        <p class="extent-line">${esc(extent)}</p>
        <h2>${esc(t('print.legend'))}</h2>
        <ul class="print-legend">${legend}</ul>
        <p class="scale-line">${esc(t('print.scale_note', { m: frame.metres }))}</p>
        <div class="print-credits"><h2>${esc(t('credits.title'))}</h2><ul>${credits.map((c) => `<li>${c}</li>`).join('')}</ul></div>
      </div>
    </div>
    <h2 class="list-head">${esc(t('print.list'))}</h2>
    <div class="print-list-wrap"><table class="print-list"><thead><tr><th>${esc(t('print.no'))}</th><th>${esc(t('print.col_place'))}</th>
      <th>${esc(t('print.col_when'))}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  const fig = sheet.querySelector<HTMLElement>('.print-figure')!;
  fig.style.width = `${wMm}mm`;
  fig.style.height = `${hMm}mm`;
  if (openDialog) window.print();
}
