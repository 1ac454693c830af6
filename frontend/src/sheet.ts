// What the printed sheets share (the meeting map sheet, the planner sheet, the person's handout):
// dates written as people write them (never ISO), the scale bar and the north arrow of a printed
// map, the badge layout that keeps every number visible, the dialog a sheet asks its typed text
// in, and waiting for an off-screen map to be drawn.

import type * as maplibregl from 'maplibre-gl';

export const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

/** 「2026年12月3日」 (or "3 December 2026" in English). */
export function longDate(d: Date, lang = 'ja'): string {
  if (lang !== 'ja') return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

/** 和暦: 「令和8年12月3日」 (令和 began on 2019-05-01; 元年 for its first year). */
export function warekiDate(d: Date): string {
  const y = d.getFullYear() - 2018;
  return `令和${y === 1 ? '元' : y}年${d.getMonth() + 1}月${d.getDate()}日`;
}

/** 「12月3日（木）」, the way a first visit is told to a person. */
export function dayDate(d: Date, lang = 'ja'): string {
  if (lang !== 'ja') return d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'long' });
  return `${d.getMonth() + 1}月${d.getDate()}日（${WEEKDAYS_JA[d.getDay()]}）`;
}

/** Metres per CSS pixel of a Web Mercator map (512 px tiles) at `zoom` and latitude `lat`. */
export function metresPerPixel(zoom: number, lat: number): number {
  return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);
}

/** The longest round length (m) not longer than `maxM`. */
export function niceLength(maxM: number): number {
  const steps = [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000];
  let best = steps[0];
  for (const s of steps) if (s <= maxM) best = s;
  return best;
}

/**
 * The scale bar and north arrow of a printed map, as SVG in the map's millimetres: a bar of a
 * round length (at most a fifth of the map's width) in its lower left corner, the arrow in its
 * upper right. `mPerMm` is the ground distance of one printed millimetre. Returns the markup and
 * the boxes it covers (badges keep out of them).
 */
export function scaleAndNorth(
  wMm: number,
  hMm: number,
  mPerMm: number,
  lang = 'ja',
): { svg: string; boxes: Box[]; metres: number } {
  const m = niceLength(mPerMm * wMm * 0.2);
  const len = m / mPerMm;
  const x0 = 4;
  const y0 = hMm - 5;
  const label = m >= 1000 ? `${m / 1000} km` : `${m} m`;
  const bar = `<g class="scale-bar" data-metres="${m}">
    <rect x="${x0 - 1.5}" y="${y0 - 6.5}" width="${len + 3 + 14}" height="9" fill="#ffffff" fill-opacity="0.85"/>
    <rect x="${x0}" y="${y0 - 1.2}" width="${len / 2}" height="1.6" fill="#000000"/>
    <rect x="${x0 + len / 2}" y="${y0 - 1.2}" width="${len / 2}" height="1.6" fill="#ffffff" stroke="#000000" stroke-width="0.3"/>
    <line x1="${x0}" y1="${y0 - 2.6}" x2="${x0}" y2="${y0 + 0.4}" stroke="#000000" stroke-width="0.3"/>
    <line x1="${x0 + len}" y1="${y0 - 2.6}" x2="${x0 + len}" y2="${y0 + 0.4}" stroke="#000000" stroke-width="0.3"/>
    <text x="${x0 + len + 1.5}" y="${y0 + 0.6}" font-size="3.2" fill="#000000">${esc(label)}</text>
    <text x="${x0}" y="${y0 - 3.2}" font-size="2.6" fill="#000000">${lang === 'ja' ? '縮尺' : 'Scale'}</text>
  </g>`;
  const cx = wMm - 8;
  const cy = 10;
  const north = `<g class="north-arrow">
    <circle cx="${cx}" cy="${cy}" r="6.5" fill="#ffffff" fill-opacity="0.85"/>
    <path d="M ${cx} ${cy - 5} L ${cx + 2.6} ${cy + 2.5} L ${cx} ${cy + 1} L ${cx - 2.6} ${cy + 2.5} Z" fill="#000000"/>
    <text x="${cx}" y="${cy + 5.6}" font-size="3" text-anchor="middle" fill="#000000" font-weight="700">${lang === 'ja' ? '北' : 'N'}</text>
  </g>`;
  return {
    svg: bar + north,
    boxes: [
      { x0: x0 - 1.5, y0: y0 - 6.5, x1: x0 + len + 15.5, y1: y0 + 2.5 },
      { x0: cx - 6.5, y0: cy - 6.5, x1: cx + 6.5, y1: cy + 6.5 },
    ],
    metres: m,
  };
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface BadgeInput {
  n: number;
  x: number; // the place, in the map's millimetres
  y: number;
}

export interface BadgePlaced extends BadgeInput {
  bx: number; // the badge's centre
  by: number;
  r: number;
  moved: boolean; // drawn beside the place, joined to it by a leader line
}

/** The radius (mm) of a numbered badge whose digits are ≥ 10 pt (3.53 mm) on paper. */
export function badgeRadius(n: number): number {
  return String(n).length > 2 ? 3.9 : 3.3;
}
/** The badge's digits (mm): 11.3 pt for one or two digits, 10.2 pt for three. */
export function badgeFont(n: number): number {
  return String(n).length > 2 ? 3.6 : 4;
}

/**
 * Places the numbered badges so that none covers another badge, another place's dot, a ring
 * (the 基準点) or a box (the scale bar, the north arrow), and all stay inside the map: each on its
 * place when that is free, else on the nearest free spot around it (a leader line joins them).
 * A badge with no free spot within reach is put where it overlaps least (and reported so).
 */
export function placeBadges(
  items: BadgeInput[],
  wMm: number,
  hMm: number,
  rings: { x: number; y: number; r: number }[],
  boxes: Box[],
): { placed: BadgePlaced[]; crowded: number } {
  const placed: BadgePlaced[] = [];
  const gap = 0.4;
  const dotR = 0.9;
  let crowded = 0;
  const cost = (it: BadgeInput, x: number, y: number, r: number): number => {
    let c = 0;
    if (x - r < 0.5 || y - r < 0.5 || x + r > wMm - 0.5 || y + r > hMm - 0.5) c += 100;
    for (const p of placed) {
      const d = Math.hypot(p.bx - x, p.by - y);
      if (d < p.r + r + gap) c += 10 + (p.r + r + gap - d);
    }
    for (const q of items) {
      if (q === it) continue;
      const d = Math.hypot(q.x - x, q.y - y);
      if (d < r + dotR + gap) c += 5;
    }
    for (const g of rings) {
      const d = Math.hypot(g.x - x, g.y - y);
      if (d < g.r + r + gap) c += 10;
    }
    for (const b of boxes) {
      if (x + r > b.x0 && x - r < b.x1 && y + r > b.y0 && y - r < b.y1) c += 10;
    }
    return c;
  };
  for (const it of items) {
    const r = badgeRadius(it.n);
    let best = { x: it.x, y: it.y, c: cost(it, it.x, it.y, r) };
    if (best.c > 0) {
      // Rings around the place, the first one just clear of its own dot.
      search: for (const d of [r + 1.6, r + 3.2, 2 * r + 2.5, 2.5 * r + 4, 3 * r + 6, 4 * r + 7, 5 * r + 9, 7 * r + 10]) {
        const steps = d < 8 ? 12 : 24;
        for (let s = 0; s < steps; s++) {
          // Up and to the right first, as badges on maps usually sit.
          const a = -Math.PI / 4 + (2 * Math.PI * s) / steps;
          const x = it.x + Math.cos(a) * d;
          const y = it.y + Math.sin(a) * d;
          const c = cost(it, x, y, r);
          if (c < best.c) best = { x, y, c };
          if (c === 0) break search;
        }
      }
    }
    if (best.c > 0) crowded++;
    placed.push({ ...it, bx: best.x, by: best.y, r, moved: best.x !== it.x || best.y !== it.y });
  }
  return { placed, crowded };
}

/** Resolves when `map` has drawn what it can. An unreachable basemap must not hold a sheet back:
 * after 8 s it resolves with whatever is there. */
export function drawn(map: maplibregl.Map): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = window.setTimeout(resolve, 8000);
    map.once('idle', () => {
      window.clearTimeout(timer);
      resolve();
    });
  });
}

/** The dialog `id` that a sheet asks its typed text in, made once and kept in the page; its
 * title is the element `${id}-title`. */
export function sheetDialog(id: string): HTMLDialogElement {
  let dlg = document.getElementById(id) as HTMLDialogElement | null;
  if (!dlg) {
    dlg = document.createElement('dialog');
    dlg.id = id;
    dlg.setAttribute('aria-labelledby', `${id}-title`);
    document.body.append(dlg);
  }
  return dlg;
}
