// The handout for the person: one A4 portrait page about the chosen place — its name, where it
// is, when it meets, how long the walk takes, what it costs, what to know, whom to contact — and
// a map of the way in. It is given to the person and may be left anywhere, so it holds nothing
// of the assessment (no age band, wishes, constraints or case id) and nothing of the place that
// the public may not know (the server's public projection, geo/catalog/visibility.cpp, is mirrored).
import * as maplibregl from 'maplibre-gl';
import * as api from './api';
import type { MatchCandidate } from './api';
import { kindStyle } from './codes';
import { has, lang, t } from './i18n';
import { setPageRule } from './csp';
import { dayDate, drawn, sheetDialog } from './sheet';
import type { BasemapConfig } from './mapview';
import type { LocalBasemap } from './basemap';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// The person's place is where the route starts (the point the matcher chose, perhaps their home,
// or their 町丁's representative point). The printed map must not show it, nor let it be read
// back from the line: the handout draws only the END of the walk — the approach to the door,
// which is what a person needs on paper — never the first HIDE_FIRST_M metres walked, and at
// most the last SHOW_LAST_M. The map is framed on that tail and the destination, so the start
// is usually outside the image, and nothing marks it. A walk shorter than HIDE_FIRST_M +
// MIN_TAIL_M shows the destination alone. (The walking time on the sheet tells only how far,
// not in which direction.)
export const HIDE_FIRST_M = 300;
export const SHOW_LAST_M = 500;
const MIN_TAIL_M = 40;

function metres(a: [number, number], b: [number, number]): number {
  const rad = Math.PI / 180;
  const x = (b[0] - a[0]) * rad * Math.cos(((a[1] + b[1]) / 2) * rad);
  const y = (b[1] - a[1]) * rad;
  return Math.hypot(x, y) * 6371008.8;
}

/** The part of a route the handout may draw (empty: the destination alone). */
export function routeTail(coords: [number, number][]): [number, number][] {
  if (coords.length < 2) return [];
  const cum = [0];
  for (let i = 1; i < coords.length; i++) cum.push(cum[i - 1] + metres(coords[i - 1], coords[i]));
  const total = cum[cum.length - 1];
  const from = Math.max(HIDE_FIRST_M, total - SHOW_LAST_M);
  if (total - from < MIN_TAIL_M) return [];
  let i = 1;
  while (cum[i] < from) i++;
  const k = (from - cum[i - 1]) / (cum[i] - cum[i - 1] || 1);
  const a = coords[i - 1];
  const b = coords[i];
  const start: [number, number] = [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k];
  return [start, ...coords.slice(i)];
}

const SNAP_W = 760;
const SNAP_H = 560;
/** A station or bus stop farther than this from the place is not "its" stop. */
const STOP_MAX_M = 1500;
/** Street names are those labelled within this many pixels (CSS) of the place on the map. */
const STREET_NEAR_PX = 220;

export interface Stop {
  name: string;
  lon: number;
  lat: number;
  m: number;
}

/** The label of a basemap feature: Japanese first, as the style draws it. */
function featureName(p: Record<string, any> | null | undefined): string {
  return String(p?.['name:ja'] || p?.['name:latin'] || p?.name || '');
}

/**
 * The nearest railway station or bus stop to `dest` among the POIs of the basemap tiles the map
 * has loaded (the OSM extract's railway=station, highway=bus_stop…, kept by the basemap import
 * as the poi layer's classes railway and bus); one named like `preferred` (the place's own
 * offer.nearest_stop) wins when it is there. Null when the basemap has none within STOP_MAX_M.
 */
export function nearestStop(map: maplibregl.Map, dest: [number, number], preferred: string): Stop | null {
  if (!map.getSource('basemap')) return null;
  const found = map.querySourceFeatures('basemap', {
    sourceLayer: 'poi',
    filter: ['match', ['get', 'class'], ['railway', 'bus'], true, false],
  });
  let best: Stop | null = null;
  let bestPreferred = false;
  for (const f of found) {
    if (f.geometry.type !== 'Point') continue;
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const name = featureName(f.properties);
    if (!name) continue;
    const m = metres(dest, [lon, lat]);
    if (m > STOP_MAX_M) continue;
    const isPreferred = preferred !== '' && (name.includes(preferred) || preferred.includes(name));
    if (!best || (isPreferred && !bestPreferred) || (isPreferred === bestPreferred && m < best.m)) {
      best = { name, lon, lat, m };
      bestPreferred = isPreferred;
    }
  }
  return best;
}

/** The streets the basemap style labels near the place on the drawn map, nearest first (three). */
function streetNames(map: maplibregl.Map, dest: [number, number]): string[] {
  if (!map.getLayer('bm-road-name')) return [];
  const p = map.project(dest);
  const r = STREET_NEAR_PX;
  const near = map.queryRenderedFeatures(
    [
      [p.x - r, p.y - r],
      [p.x + r, p.y + r],
    ],
    // Roads and paths only: the railway's name is a label of the same layer.
    { layers: ['bm-road-name'], filter: ['!', ['match', ['get', 'class'], ['rail', 'transit', 'ferry', 'aerialway'], true, false]] },
  );
  const seen = new Map<string, number>();
  for (const f of near) {
    const name = featureName(f.properties);
    if (!name) continue;
    const c = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.type === 'Point' ? [f.geometry.coordinates] : [];
    const d = Math.min(...(c as [number, number][]).map((q) => metres(dest, q)), Infinity);
    if (!seen.has(name) || d < seen.get(name)!) seen.set(name, d);
  }
  return [...seen.entries()].sort((a, b) => a[1] - b[1]).slice(0, 3).map(([n]) => n);
}

export interface Snapshot {
  image: string; // a PNG data URL
  stop: Stop | null;
  /** The stop's place on the image, as fractions of its width and height. */
  stopAt: [number, number] | null;
  streets: string[];
  gsi: boolean; // the raster basemap drew at least one tile
}

/**
 * Renders the destination and the route's tail on an off-screen map, with the nearest station
 * or bus stop marked when the server's basemap has one; the street names the map labels near
 * the destination.
 */
async function snapshot(
  basemap: BasemapConfig | null,
  local: LocalBasemap | null,
  dest: [number, number],
  tail: [number, number][],
  color: string,
  preferredStop: string,
): Promise<Snapshot> {
  const box = document.createElement('div');
  // Off-screen but laid out: MapLibre needs a sized container to draw into.
  box.style.cssText = `position:fixed;left:-${SNAP_W + 200}px;top:0;width:${SNAP_W}px;height:${SNAP_H}px;`;
  box.setAttribute('aria-hidden', 'true');
  document.body.append(box);
  const origin = window.location.origin;
  let rasterBasemap = false;
  const sources: Record<string, maplibregl.SourceSpecification> = {
    areas: { type: 'vector', url: `${origin}/tiles/areas.json` },
    tail: {
      type: 'geojson',
      data: tail.length
        ? { type: 'Feature', geometry: { type: 'LineString', coordinates: tail }, properties: {} }
        : { type: 'FeatureCollection', features: [] },
    },
    dest: { type: 'geojson', data: { type: 'Feature', geometry: { type: 'Point', coordinates: dest }, properties: {} } },
  };
  const layers: maplibregl.LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': '#f2f1ec' } },
  ];
  // The server's own basemap first when it has one: a handout must not depend on the network.
  if (local) {
    Object.assign(sources, local.sources);
    layers.push(...local.layers);
  } else if (basemap && basemap.tiles.length) {
    rasterBasemap = true;
    sources.basemap = {
      type: 'raster',
      tiles: basemap.tiles,
      tileSize: basemap.tileSize ?? 256,
      minzoom: basemap.minzoom ?? 0,
      maxzoom: basemap.maxzoom ?? 18,
    };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  layers.push(
    {
      id: 'chome-line',
      type: 'line',
      source: 'areas',
      'source-layer': 'areas',
      filter: ['!=', ['get', 'kind'], 'municipality'],
      paint: { 'line-color': '#7d7d7d', 'line-width': 0.8, 'line-dasharray': [3, 2] },
    },
    { id: 'tail-casing', type: 'line', source: 'tail', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#ffffff', 'line-width': 9 } },
    { id: 'tail', type: 'line', source: 'tail', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#a33a00', 'line-width': 5 } },
    { id: 'dest', type: 'circle', source: 'dest', paint: { 'circle-radius': 11, 'circle-color': color, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 4 } },
  );
  // The label font of the basemap's own labels (drawn from local fonts: no glyphs URL).
  const labelFont = (local?.layers.find((l) => l.type === 'symbol') as any)?.layout?.['text-font'] ?? ['sans-serif'];
  const pts = [dest, ...tail];
  const w = Math.min(...pts.map((p) => p[0]));
  const e = Math.max(...pts.map((p) => p[0]));
  const s = Math.min(...pts.map((p) => p[1]));
  const n = Math.max(...pts.map((p) => p[1]));
  const map = new maplibregl.Map({
    container: box,
    style: { version: 8, sources, layers },
    bounds: [w, s, e, n],
    fitBoundsOptions: { padding: 70, maxZoom: 17 },
    interactive: false,
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    fadeDuration: 0,
    pixelRatio: 2, // sharp on paper
  });
  let gsiTiles = 0;
  map.on('sourcedata', (ev) => {
    if (rasterBasemap && ev.sourceId === 'basemap' && (ev as { tile?: { state?: string } }).tile?.state === 'loaded') gsiTiles++;
  });
  try {
    await drawn(map);
    const stop = local?.kind === 'extract' ? nearestStop(map, dest, preferredStop) : null;
    if (stop) {
      // A square (a stop's usual map sign, told apart from the round destination by shape, not
      // colour); its name is printed beside it as text over the image (printHandout); the map
      // widened to hold both.
      map.addSource('stop', {
        type: 'geojson',
        data: { type: 'Feature', geometry: { type: 'Point', coordinates: [stop.lon, stop.lat] }, properties: { name: stop.name } },
      });
      map.addLayer({
        id: 'stop',
        type: 'symbol',
        source: 'stop',
        layout: {
          'text-field': '■',
          'text-font': labelFont,
          'text-size': 15,
          'text-anchor': 'center',
          // Always drawn, and the basemap's own label of the same station gives way to it.
          'text-allow-overlap': true,
          'text-ignore-placement': false,
        },
        paint: { 'text-color': '#222222', 'text-halo-color': '#ffffff', 'text-halo-width': 2.5 },
      });
      const all = [...pts, [stop.lon, stop.lat] as [number, number]];
      map.fitBounds(
        [
          [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1]))],
          [Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))],
        ],
        { padding: { top: 70, bottom: 70, left: 70, right: 200 }, maxZoom: 17, animate: false },
      );
      await drawn(map);
    }
    const streets = streetNames(map, dest);
    const at = stop ? map.project([stop.lon, stop.lat]) : null;
    return {
      image: map.getCanvas().toDataURL('image/png'),
      stop,
      stopAt: at ? [at.x / SNAP_W, at.y / SNAP_H] : null,
      streets,
      gsi: gsiTiles > 0,
    };
  } finally {
    map.remove();
    box.remove();
  }
}

function feeText(p: Record<string, any>): string {
  const parts = ((p.fees ?? []) as any[]).map((f) => {
    if (f.amount_yen === 0) return t('detail.fee_free');
    const per = f.per && t(`detail.fee_per.${f.per}`) !== `detail.fee_per.${f.per}` ? `${t(`detail.fee_per.${f.per}`)} ` : '';
    return `${per}${t('detail.fee_yen', { n: Number(f.amount_yen).toLocaleString('ja-JP') })}${f.note ? `（${f.note}）` : ''}`;
  });
  if (p.fee_note) parts.push(p.fee_note);
  return parts.join('、');
}

/** What the public may know of the place's whereabouts and contact (geo/catalog/visibility.cpp). */
function publicContact(p: Record<string, any>): { address: string; lines: string[]; privateHome: boolean } {
  const privateHome = p.venue === 'private_home';
  const privateHost = privateHome || p.operator_type === 'jumin_kojin';
  const agreed = p.contact_public === true;
  const lines: string[] = [];
  if (p.phone && (!privateHost || agreed)) lines.push(`${t('detail.phone')}：${p.phone}`);
  if (p.fax && (!privateHost || agreed)) lines.push(`${t('detail.fax')}：${p.fax}`);
  if (p.email && agreed) lines.push(`${t('detail.email')}：${p.email}`);
  if (p.url) lines.push(`${t('detail.url')}：${p.url}`);
  // The placement's contact is a role (受入れ担当), never a person's name.
  if (p.offer?.contact_role) lines.push(t('handout.contact_role', { role: p.offer.contact_role }));
  const address = privateHome ? '' : [p.address, p.building].filter(Boolean).join(' ');
  return { address, lines, privateHome };
}

/**
 * What the matcher types for this person before printing: the worker's name and phone, the first
 * visit's date and time, what to bring. Printed on the sheet only — never stored (not in the URL,
 * not in storage) and never sent to the server.
 */
export interface HandoutTyped {
  worker: string;
  phone: string;
  date: string; // yyyy-mm-dd from <input type=date>, or ''
  time: string; // hh:mm, or ''
  bring: string;
}

const EMPTY_TYPED: HandoutTyped = { worker: '', phone: '', date: '', time: '', bring: '' };

/** Katakana to hiragana (ふりがな are written in hiragana for the person). */
export function hiragana(s: string): string {
  return s.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** The place's name with its reading as <ruby> when the record has name_kana. */
function nameHtml(name: string, kana: string): string {
  if (!kana.trim()) return esc(name);
  return `<ruby>${esc(name)}<rp>（</rp><rt>${esc(hiragana(kana.trim()))}</rt><rp>）</rp></ruby>`;
}

/**
 * Free text of the record in plain words: staff terms of the message table (plain.phrase.N:
 * "from=>to", a from of /…/ a pattern) replaced, in order.
 */
export function plainWords(text: string): string {
  let out = text;
  for (let i = 1; has(`plain.phrase.${i}`); i++) {
    const [from, to] = t(`plain.phrase.${i}`).split('=>');
    if (!from) continue;
    out = from.startsWith('/') && from.endsWith('/') ? out.replace(new RegExp(from.slice(1, -1), 'g'), to ?? '') : out.split(from).join(to ?? '');
  }
  return out.trim();
}

/** What the place is, said plainly (plain.kind.<kind>, else the kind's label). */
function plainKind(kind: string): string {
  return has(`plain.kind.${kind}`) ? t(`plain.kind.${kind}`) : t(`kind.${kind}`);
}

/** 「12月3日（木）13時30分」 from the date and time fields. */
function visitText(v: HandoutTyped): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.date);
  const day = m ? dayDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])), lang()) : '';
  const tm = /^(\d{1,2}):(\d{2})/.exec(v.time);
  const time = tm ? t('handout.visit_time', { h: Number(tm[1]), m: tm[2] === '00' ? '' : t('handout.visit_min', { m: Number(tm[2]) }) }) : '';
  return [day, time].filter(Boolean).join(' ');
}

/**
 * The form the matcher fills before the handout prints (a dialog; its fields start empty every
 * time and are read once, for the sheet). `go` gets what was typed.
 */
export function openHandoutDialog(go: (typed: HandoutTyped) => void): void {
  const dlg = sheetDialog('handout-dialog');
  const field = (id: string, label: string, input: string) => `<label for="${id}">${esc(label)}</label>${input}`;
  dlg.innerHTML = `<form method="dialog" id="handout-form">
      <h2 id="handout-dialog-title">${esc(t('handout.dialog_title'))}</h2>
      <p class="hint" id="handout-dialog-hint">${esc(t('handout.dialog_hint'))}</p>
      ${field('h-worker', t('handout.worker'), '<input id="h-worker" type="text" autocomplete="off" maxlength="40">')}
      ${field('h-phone', t('handout.worker_phone'), '<input id="h-phone" type="tel" autocomplete="off" maxlength="20">')}
      ${field('h-date', t('handout.visit_date'), '<input id="h-date" type="date" autocomplete="off">')}
      ${field('h-time', t('handout.visit_clock'), '<input id="h-time" type="time" autocomplete="off">')}
      ${field('h-bring', t('handout.bring'), '<textarea id="h-bring" rows="2" autocomplete="off" maxlength="200"></textarea>')}
      <div class="inline">
        <button type="submit" id="handout-go" class="primary">${esc(t('print.go'))}</button>
        <button type="button" id="handout-cancel">${esc(t('edit.cancel'))}</button>
      </div>
    </form>`;
  const val = (id: string) => (dlg.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`)?.value ?? '').trim();
  dlg.querySelector('#handout-cancel')!.addEventListener('click', () => {
    dlg.close();
    dlg.innerHTML = '';
  });
  dlg.querySelector('#handout-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = { worker: val('h-worker'), phone: val('h-phone'), date: val('h-date'), time: val('h-time'), bring: val('h-bring') };
    dlg.close();
    dlg.innerHTML = ''; // nothing typed stays in the page but the sheet
    go(typed);
  });
  dlg.showModal();
  dlg.querySelector<HTMLInputElement>('#h-worker')!.focus();
}

/** Drops the GSI credit from the page's credits when the handout's map drew no GSI tile. */
function drawnCredits(credits: string, gsi: boolean): string {
  if (gsi) return credits;
  const gsiText = esc(t('credits.basemap'));
  return credits
    .split('</li>')
    .filter((li) => li.trim() && !li.includes(gsiText))
    .map((li) => `${li}</li>`)
    .join('');
}

/** Fills the print sheet with the handout for candidate `c`, and opens the print dialog. */
export async function printHandout(
  ctx: { candidate: MatchCandidate; basemap: BasemapConfig | null; local: LocalBasemap | null; credits: string; typed?: HandoutTyped },
  openDialog = true,
): Promise<void> {
  const c = ctx.candidate;
  const typed = ctx.typed ?? EMPTY_TYPED;
  const p = (await api.getResource(c.id)).feature.properties;
  const k = kindStyle(p.kind);
  const where = publicContact(p);
  const dest: [number, number] = [c.lon, c.lat];
  const tail = routeTail(c.route?.coordinates ?? []);
  // A private home's position is withheld from the public: no map, the address comes in person.
  const snap = where.privateHome
    ? null
    : await snapshot(ctx.basemap, ctx.local, dest, tail, k.color, String(p.offer?.nearest_stop ?? ''));
  const image = snap?.image ?? '';
  const landmarks: string[] = [];
  const offerStop = String(p.offer?.nearest_stop ?? '');
  // The place's own nearest stop, when it is the one marked, is said once, with its walk.
  const stopIsOffers = !!snap?.stop && offerStop !== '' && (snap.stop.name.includes(offerStop) || offerStop.includes(snap.stop.name));
  if (snap?.stop) {
    landmarks.push(
      stopIsOffers && p.offer?.walk_min_from_stop != null
        ? t('handout.nearest_stop_walk', { stop: snap.stop.name, n: p.offer.walk_min_from_stop })
        : t('handout.nearest_stop', { stop: snap.stop.name, m: Math.round(snap.stop.m / 10) * 10 }),
    );
  }
  if (snap?.streets.length) landmarks.push(t('handout.streets', { names: snap.streets.join('、') }));
  const sched = ((p.schedules ?? []) as any[]).map((s) => String(s.text ?? '')).filter(Boolean);
  const notes: string[] = [];
  if (p.reservation_required === true) notes.push(t('handout.reservation'));
  if (p.meal_provided === true) notes.push(t('handout.meal'));
  // Demo and imported descriptions often repeat the task description: say it once.
  const task = String(p.offer?.task_description ?? '');
  if (task && !String(p.description ?? '').includes(task)) notes.push(task);
  if (p.offer?.nearest_stop && !stopIsOffers) {
    notes.push(
      p.offer.walk_min_from_stop != null
        ? t('handout.stop_walk', { stop: p.offer.nearest_stop, n: p.offer.walk_min_from_stop })
        : t('handout.stop', { stop: p.offer.nearest_stop }),
    );
  }
  if (p.description) notes.push(p.description);
  const fee = feeText(p);
  const date = dayDate(new Date(), lang());
  const row = (label: string, value: string) => (value ? `<tr><th scope="row">${esc(label)}</th><td>${value}</td></tr>` : '');
  // Typed fields: what was typed, else a line to write on by hand.
  const blank = '<span class="handout-blank"></span>';
  const visit = visitText(typed);
  const stopLabel =
    snap?.stop && snap.stopAt
      ? `<svg class="handout-overlay" viewBox="0 0 ${SNAP_W} ${SNAP_H}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">
          <g class="stop-marker" data-name="${esc(snap.stop.name)}">
            <text x="${snap.stopAt[0] * SNAP_W + 13}" y="${snap.stopAt[1] * SNAP_H}" dy="0.35em" font-size="18" font-weight="700"
              fill="#111111" stroke="#ffffff" stroke-width="4" paint-order="stroke">${esc(snap.stop.name)}</text></g></svg>`
      : '';

  setPageRule('@page { size: A4 portrait; margin: 12mm; }');
  document.body.dataset.print = 'handout';
  const sheet = document.getElementById('print-sheet')!;
  sheet.dataset.routeFrom = tail.length ? `${tail[0][0].toFixed(6)},${tail[0][1].toFixed(6)}` : '';
  sheet.dataset.stop = snap?.stop ? `${snap.stop.name}|${snap.stop.lon.toFixed(6)},${snap.stop.lat.toFixed(6)}` : '';
  sheet.dataset.streets = snap?.streets.join('|') ?? '';
  sheet.innerHTML = `
    <article class="handout">
      <p class="handout-kicker">${esc(t('handout.kicker'))}</p>
      <h1 class="handout-name">${nameHtml(String(p.name ?? ''), String(p.name_kana ?? ''))}</h1>
      <p class="handout-kind">${esc(plainKind(p.kind))}</p>
      ${
        image
          ? `<figure><div class="handout-mapbox"><img class="handout-map" alt="${esc(t('handout.map_alt', { name: p.name }))}" src="${image}">${stopLabel}</div>
             <figcaption>${esc(tail.length ? t('handout.map_caption') : t('handout.map_caption_dest'))}${snap?.stop ? esc(t('handout.map_caption_stop')) : ''}</figcaption></figure>`
          : `<p class="handout-nomap">${esc(t('handout.private_home'))}</p>`
      }
      <table class="handout-facts"><tbody>
        <tr class="handout-visit"><th scope="row">${esc(t('handout.visit'))}</th><td>${visit ? esc(visit) : blank}</td></tr>
        ${row(t('detail.place'), esc(where.address || t('handout.address_in_person')))}
        ${row(t('detail.schedule'), sched.length ? sched.map((s) => `<div>${esc(s)}</div>`).join('') : esc(t('handout.schedule_ask')))}
        ${row(t('handout.walk'), esc(t('handout.walk_min', { n: c.walk_min })))}
        ${row(t('handout.landmarks'), landmarks.map((x) => `<div>${esc(x)}</div>`).join(''))}
        ${row(t('detail.fee'), esc(fee))}
        <tr class="handout-bring"><th scope="row">${esc(t('handout.bring'))}</th><td>${typed.bring ? esc(typed.bring).replace(/\n/g, '<br>') : blank}</td></tr>
        ${row(t('handout.notes'), notes.map((x) => plainWords(x)).filter(Boolean).map((x) => `<div>${esc(x)}</div>`).join(''))}
        ${row(t('detail.contact'), esc(plainWords(where.lines.join('\n'))).replace(/\n/g, '<br>').replace(/(\d[\d-]{8,}\d)/g, '<span class="tel">$1</span>') || esc(t('handout.contact_ask')))}
        <tr class="handout-worker"><th scope="row">${esc(t('handout.worker_row'))}</th><td>${
          typed.worker || typed.phone
            ? `${esc(typed.worker)}${typed.phone ? `　${esc(t('detail.phone'))}：<span class="tel">${esc(typed.phone)}</span>` : ''}`
            : blank
        }</td></tr>
      </tbody></table>
      <p class="handout-foot">${esc(t('handout.foot', { date }))}</p>
      <div class="print-credits"><ul>${drawnCredits(ctx.credits, snap?.gsi ?? false)}</ul></div>
    </article>`;
  if (openDialog) window.print();
}
