// The page state lives in the URL: a link reproduces the same filters, view, point and detail.
import { TIMES } from './codes';

export interface State {
  kind: string[];
  activity: string;
  target: string;
  day: string;
  time: string; // '' | morning | afternoon | evening
  barrier_free: boolean;
  has_vacancy: boolean;
  q: string;
  center?: [number, number]; // lon, lat
  zoom?: number;
  pt?: [number, number]; // chosen point for distance sorting
  sel?: string; // the resource whose detail is open
  lang: 'ja' | 'en';
  embed: boolean;
  municipality: string; // one town's map (its 全国地方公共団体コード); '' = every town
}

function pair(text: string | null): [number, number] | undefined {
  if (!text) return undefined;
  const p = text.split(',').map(Number);
  if (p.length !== 2 || p.some((v) => !Number.isFinite(v))) return undefined;
  return [p[0], p[1]];
}

export function parseState(search: string): State {
  const u = new URLSearchParams(search);
  const map = (u.get('map') ?? '').split('/').map(Number); // zoom/lat/lon
  const s: State = {
    kind: (u.get('kind') ?? '').split(',').filter(Boolean),
    activity: u.get('activity') ?? '',
    target: u.get('target') ?? '',
    day: u.get('day') ?? '',
    time: u.get('time') && TIMES[u.get('time')!] ? u.get('time')! : '',
    barrier_free: u.get('barrier_free') === '1',
    has_vacancy: u.get('has_vacancy') === '1',
    q: u.get('q') ?? '',
    pt: pair(u.get('pt')),
    sel: u.get('sel') ?? undefined,
    lang: u.get('lang') === 'en' ? 'en' : 'ja',
    embed: u.get('embed') === '1',
    municipality: u.get('municipality') ?? '',
  };
  if (map.length === 3 && map.every(Number.isFinite)) {
    s.zoom = map[0];
    s.center = [map[2], map[1]];
  }
  return s;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The page URL's query for a state. */
export function toSearch(s: State): string {
  const u = new URLSearchParams();
  if (s.kind.length) u.set('kind', s.kind.join(','));
  if (s.activity) u.set('activity', s.activity);
  if (s.target) u.set('target', s.target);
  if (s.day) u.set('day', s.day);
  if (s.time) u.set('time', s.time);
  if (s.barrier_free) u.set('barrier_free', '1');
  if (s.has_vacancy) u.set('has_vacancy', '1');
  if (s.q) u.set('q', s.q);
  if (s.center && s.zoom !== undefined) {
    u.set('map', `${round(s.zoom, 2)}/${round(s.center[1], 5)}/${round(s.center[0], 5)}`);
  }
  if (s.pt) u.set('pt', `${round(s.pt[0], 6)},${round(s.pt[1], 6)}`);
  if (s.sel) u.set('sel', s.sel);
  if (s.lang !== 'ja') u.set('lang', s.lang);
  if (s.embed) u.set('embed', '1');
  if (s.municipality) u.set('municipality', s.municipality);
  const text = u.toString();
  return text ? `?${text}` : '';
}

/** The filters as /api/resources and /tiles query parameters (the same for both). */
export function filterParams(s: State): URLSearchParams {
  const u = new URLSearchParams();
  if (s.kind.length) u.set('kind', s.kind.join(','));
  if (s.activity) u.set('activity', s.activity);
  if (s.target) u.set('target', s.target);
  if (s.day) {
    u.set('open_day', s.day);
    if (s.time) {
      u.set('open_from', TIMES[s.time][0]);
      u.set('open_to', TIMES[s.time][1]);
    }
  }
  if (s.barrier_free) u.set('barrier_free', 'true');
  if (s.has_vacancy) u.set('has_vacancy', 'true');
  if (s.q) u.set('q', s.q);
  if (s.municipality) u.set('municipality', s.municipality);
  return u;
}
