// The print sheet: an A4 page (portrait or landscape) with an image of the current map view
// (numbered badges = list numbers), the numbered list and the data credits.
import type { Feature } from './api';
import { t } from './i18n';
import type { MapView } from './mapview';
import type { State } from './state';
import { setPageRule } from './csp';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

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

export async function printSheet(
  orientation: 'portrait' | 'landscape',
  ctx: { mapView: MapView; items: Feature[]; state: State; credits: string },
  openDialog = true,
): Promise<void> {
  setPageRule(`@page { size: A4 ${orientation}; margin: 10mm; }`);
  document.body.dataset.print = orientation;
  const map = ctx.mapView.map;
  // The printed map carries the list's numbers even at the cluster zooms.
  map.setLayerZoomRange('numbered', 0, 24);
  await new Promise<void>((resolve) => {
    map.once('idle', () => resolve());
    map.triggerRepaint();
  });
  const image = map.getCanvas().toDataURL('image/png');
  map.setLayerZoomRange('numbered', 12, 24);
  const date = new Date().toISOString().slice(0, 10);
  const rows = ctx.items
    .map((f, i) => {
      const p = f.properties;
      const sched = (p.schedules ?? []).map((s: any) => esc(s.text)).join('<br>');
      const contact = [p.phone, p.email].filter(Boolean).map(esc).join('<br>');
      return `<tr><td class="n">${i + 1}</td><td>${esc(p.name)}<br><small>${esc(t(`kind.${p.kind}`))}</small></td>
        <td>${esc(p.address)}</td><td>${sched}</td><td>${contact}</td></tr>`;
    })
    .join('');
  const sheet = document.getElementById('print-sheet')!;
  sheet.innerHTML = `
    <h1>${esc(t('print.title', { title: document.title || t('app.title'), date }))}</h1>
    <p class="filters-line">${esc(filterSummary(ctx.state))}</p>
    <img class="print-map" alt="${esc(t('map.label'))}" src="${image}">
    <h2>${esc(t('print.list'))}</h2>
    <table class="print-list"><thead><tr><th>No.</th><th>${esc(t('edit.name'))}</th><th>${esc(t('detail.place'))}</th>
      <th>${esc(t('detail.schedule'))}</th><th>${esc(t('detail.contact'))}</th></tr></thead><tbody>${rows}</tbody></table>
    <div class="print-credits"><h2>${esc(t('credits.title'))}</h2><ul>${ctx.credits}</ul></div>`;
  if (openDialog) window.print();
}
