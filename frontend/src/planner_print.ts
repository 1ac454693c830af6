// The planner's own sheet (#/planner → 印刷): the map as the planner sees it (the choropleth, or
// the gap answer when one is drawn) with a scale bar and a north arrow, its legend, the ranked
// table, how the classes were made and the sources of the figures and the lines — in Japanese
// labels. Everything is read from the planner page as drawn (planner.ts), so the sheet is what
// the planner looked at; nothing is computed again here.
import type * as maplibregl from 'maplibre-gl';
import * as api from './api';
import { setPageRule } from './csp';
import { lang, t } from './i18n';
import type { MapView } from './mapview';
import { esc, longDate, metresPerPixel, scaleAndNorth, warekiDate } from './sheet';

type Orientation = 'portrait' | 'landscape';

/** The map's size on paper (mm); A4 less 10 mm margins is 190 × 277. */
const MAP_MM: Record<Orientation, [number, number]> = { portrait: [190, 125], landscape: [160, 150] };

function text(id: string): string {
  return document.getElementById(id)?.textContent?.trim() ?? '';
}

function selectedLabel(id: string): string {
  const s = document.getElementById(id) as HTMLSelectElement | null;
  return s?.selectedOptions[0]?.textContent?.trim() ?? '';
}

/** The live map as a PNG, once every tile of the view is drawn. */
async function mapImage(map: maplibregl.Map): Promise<string> {
  await new Promise<void>((resolve) => {
    const timer = window.setTimeout(resolve, 8000);
    map.once('idle', () => {
      window.clearTimeout(timer);
      resolve();
    });
    map.triggerRepaint();
  });
  return map.getCanvas().toDataURL('image/png');
}

/** The legend's rows as printed rows: a swatch of the class's colour and its range and count. */
function legendRows(): string {
  const items = [...document.querySelectorAll<HTMLLIElement>('#p-legend li')];
  return items
    .map((li) => {
      const sw = li.querySelector<HTMLElement>('.swatch');
      const colour = sw?.dataset.swatch;
      const mark = colour
        ? `<rect x="0.5" y="0.5" width="9" height="6" fill="${esc(colour)}" stroke="#555" stroke-width="0.4"/>`
        : sw?.classList.contains('hatch')
          ? `<rect x="0.5" y="0.5" width="9" height="6" fill="#ffffff" stroke="#555" stroke-width="0.4"/><path d="M1 6 L6 1 M4 6.5 L9.5 1" stroke="#555" stroke-width="0.6"/>`
          : `<rect x="0.5" y="0.5" width="9" height="6" fill="none" stroke="#333" stroke-width="0.6" stroke-dasharray="1.2 0.8"/>`;
      const range = li.querySelector('.range')?.textContent?.trim() ?? '';
      const n = li.querySelector('.n')?.textContent?.trim() ?? '';
      return `<li><svg class="lg-class" viewBox="0 0 10 7" aria-hidden="true">${mark}</svg><span>${esc(range)}</span> <span class="n">${esc(n)}</span></li>`;
    })
    .join('');
}

/** The ranked table as printed: the page's rows (area names as text, not buttons). */
function rankTable(): { head: string; rows: string[] } {
  const table = document.getElementById('p-rank') as HTMLTableElement | null;
  if (!table) return { head: '', rows: [] };
  const head = [...table.querySelectorAll('thead th')].map((th) => `<th>${esc(th.textContent?.trim())}</th>`).join('');
  const rows = [...table.querySelectorAll('tbody tr')].map(
    (tr) =>
      `<tr>${[...tr.children]
        .map((td, i) => `<td${i === 2 ? ' class="val"' : ''}>${esc(td.textContent?.replace(/\s+/g, ' ').trim())}</td>`)
        .join('')}</tr>`,
  );
  return { head, rows };
}

/** The sources of what the sheet shows: the figures, the areas' lines and the basemap. */
async function sources(map: maplibregl.Map, basemapDrawn: boolean): Promise<string[]> {
  const shown = new Set(['statistics', 'areas', 'boundaries']);
  const out: string[] = [];
  for (const c of await api.credits().catch(() => [] as api.Credit[])) {
    const uses = c.uses.filter((u) => shown.has(u));
    if (!uses.length) continue;
    const titles = c.titles?.length ? `：${c.titles.join('、')}` : '';
    out.push(`${esc(c.attribution)}${esc(titles)}<small>（${esc(uses.map((u) => t(`credits.use.${u}`)).join('・'))}）</small>`);
  }
  if (basemapDrawn) out.push(esc(t('credits.basemap')));
  if (map.getStyle().layers.some((l) => l.id.startsWith('bm-'))) out.push(esc(t('planner_print.local_basemap')));
  out.push(esc(t('credits.map')));
  return out;
}

/** Fills the print sheet with the planner's sheet and opens the print dialog. */
export async function printPlanner(orientation: Orientation, ctx: { mapView: MapView }, openDialog = true): Promise<void> {
  const map = ctx.mapView.map;
  setPageRule(`@page { size: A4 ${orientation}; margin: 10mm; }`);
  document.body.dataset.print = `planner-${orientation}`;
  const image = await mapImage(map);
  const [wMm, hMm] = MAP_MM[orientation];
  // The printed image is the canvas scaled to wMm (object-fit: contain keeps its shape).
  const canvas = map.getCanvas();
  const cssW = canvas.clientWidth || canvas.width;
  const cssH = canvas.clientHeight || canvas.height;
  const scale = Math.min(wMm / cssW, hMm / cssH); // mm per CSS px
  const [imgW, imgH] = [cssW * scale, cssH * scale];
  const mPerMm = metresPerPixel(map.getZoom(), map.getCenter().lat) / scale;
  const frame = scaleAndNorth(imgW, imgH, mPerMm, lang());
  const gapShown = map.getLayer('planner-fill') ? map.getLayoutProperty('planner-fill', 'visibility') === 'none' : false;
  const rank = rankTable();
  const now = new Date();
  const date = lang() === 'ja' ? `${longDate(now)}（${warekiDate(now)}）` : longDate(now, lang());
  const src = await sources(map, ctx.mapView.basemapDrawn());
  const sheet = document.getElementById('print-sheet')!;
  sheet.innerHTML = `
    <article class="planner-sheet">
      <header class="sheet-head">
        <h1 class="sheet-title">${esc(gapShown ? t('planner_print.title_gap') : text('p-legend-title').replace(/^凡例：/, '') || t('planner.title'))}</h1>
        <p class="sheet-date">${esc(t('print.as_of', { date }))}</p>
      </header>
      <figure class="planner-figure">
        <img class="planner-map" alt="${esc(t('map.label'))}" src="${image}">
        <svg class="print-overlay" viewBox="0 0 ${imgW} ${imgH}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">${frame.svg}</svg>
      </figure>
      <div class="planner-sheet-cols">
        <section class="planner-sheet-legend">
          <h2>${esc(t('print.legend'))}</h2>
          <p>${esc(text('p-legend-title'))}</p>
          <ul class="print-legend">${legendRows()}</ul>
          <p class="scale-line">${esc(t('print.scale_note', { m: frame.metres }))}</p>
          <h2>${esc(t('planner_print.method'))}</h2>
          <p class="planner-method">${esc(
            t('planner_print.method_text', {
              kind: selectedLabel('p-kind'),
              indicator: selectedLabel('p-key'),
              method: selectedLabel('p-method'),
              n: selectedLabel('p-classes'),
            }),
          )} ${esc(text('p-legend-note').replace(t('planner.note_source'), '').trim())}</p>
          <h2>${esc(t('planner_print.sources'))}</h2>
          <ul class="planner-sources">${src.map((s) => `<li>${s}</li>`).join('')}</ul>
        </section>
        <section class="planner-sheet-rank">
          <h2>${esc(text('p-rank-title'))}</h2>
          <table class="planner-rank-print"><thead><tr>${rank.head}</tr></thead><tbody>${rank.rows.join('')}</tbody></table>
        </section>
      </div>
    </article>`;
  const fig = sheet.querySelector<HTMLElement>('.planner-figure')!;
  fig.style.width = `${imgW}mm`;
  fig.style.height = `${imgH}mm`;
  if (openDialog) window.print();
}
