// Code lists (from the server's /api/meta; labels are in the message files) and the map symbol
// of each resource kind: a colour that keeps 4.5:1 contrast with white, and one character.
import { getJson } from './api';

export interface KindStyle {
  id: string;
  color: string;
  symbol: string;
}

// The map symbol of each resource kind (presentation only: which kinds exist comes from the
// server's /api/meta, like every other code list below).
const STYLES: Record<string, { color: string; symbol: string }> = {
  kayoi_no_ba: { color: '#1b7a3a', symbol: '通' },
  ibasho: { color: '#b0420d', symbol: '居' },
  kodomo_shokudo: { color: '#b3261e', symbol: '食' },
  chiiki_kosodate_shien_kyoten: { color: '#a3195b', symbol: '子' },
  chiiki_katsudo_shien_center: { color: '#5b3a9a', symbol: '活' },
  chiiki_hokatsu_shien_center: { color: '#0b5cad', symbol: '包' },
  jiritsu_sodan_shien: { color: '#00707a', symbol: '自' },
  sodan_shien_other: { color: '#3d5a80', symbol: '相' },
  placement_site: { color: '#7a5200', symbol: '参' },
  nofuku_site: { color: '#4f6b00', symbol: '農' },
  shafuku_facility: { color: '#6b4226', symbol: '社' },
  kaigo_jigyosho: { color: '#2f4f4f', symbol: '介' },
  kosodate_shisetsu: { color: '#c2185b', symbol: '育' },
  public_facility: { color: '#455a64', symbol: '公' },
  kominkan: { color: '#1565c0', symbol: '集' },
};

// The code lists, filled once from /api/meta by loadCodes() before the page draws anything; the
// arrays are filled in place, so every module that imported them sees the server's lists.
export const KINDS: KindStyle[] = [];
export const KIND_BY_ID = new Map<string, KindStyle>();
export const ACTIVITIES: string[] = [];
export const TARGETS: string[] = [];
export const DAYS: string[] = [];
/** The parts of the day as the server filters `open=` by: id → [from, to] ("HH:MM"). */
export const TIMES: Record<string, [string, string]> = {};
export const PUBLISH: string[] = [];
export const STATUSES: string[] = [];

export interface Municipality {
  id: string;
  code: string;
  name: string;
  short_name?: string; // 藤崎町 (name is N03's full 青森県南津軽郡藤崎町)
  bbox?: [number, number, number, number];
}

export interface Meta {
  codes: {
    kinds: { id: string; ja: string }[];
    activities: { id: string; ja: string }[];
    targets: { id: string; ja: string }[];
    days: { id: string; ja: string }[];
    day_parts: { id: string; ja: string; from: string; to: string }[];
    publish: { id: string; ja: string }[];
    statuses: { id: string; ja: string }[];
    area_kinds: { id: string; ja: string }[];
  };
  municipalities: Municipality[];
  extent: [number, number, number, number] | null;
  /** The server's offline basemap (basemap.ts), or null when it has none. */
  basemap?: import('./basemap').BasemapMeta | null;
}

export let META: Meta | null = null;

function fill(target: string[], from: { id: string }[]): void {
  target.splice(0, target.length, ...from.map((c) => c.id));
}

/** Reads /api/meta once and fills the code lists. */
export async function loadCodes(): Promise<Meta> {
  if (META) return META;
  const m = await getJson<Meta>('/api/meta', { cache: 'no-cache' });
  KINDS.splice(
    0,
    KINDS.length,
    ...m.codes.kinds.map((k) => ({ id: k.id, ...(STYLES[k.id] ?? { color: '#555555', symbol: '●' }) })),
  );
  KIND_BY_ID.clear();
  for (const k of KINDS) KIND_BY_ID.set(k.id, k);
  fill(ACTIVITIES, m.codes.activities);
  fill(TARGETS, m.codes.targets);
  fill(DAYS, m.codes.days);
  fill(PUBLISH, m.codes.publish);
  fill(STATUSES, m.codes.statuses);
  for (const k of Object.keys(TIMES)) delete TIMES[k];
  const seen = new Set<string>();
  for (const p of m.codes.day_parts) {
    // 夕方 and 夜 are one window on the server: the page offers it once
    if (seen.has(`${p.from}-${p.to}`)) continue;
    seen.add(`${p.from}-${p.to}`);
    TIMES[p.id] = [p.from, p.to];
  }
  META = m;
  return m;
}

export function kindStyle(id: string): KindStyle {
  return KIND_BY_ID.get(id) ?? { id, color: '#555555', symbol: '●' };
}
