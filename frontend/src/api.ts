// The tsunagi HTTP API, and the one place where the pages make requests: same origin, the
// session cookie, the CSRF token for writes, a problem+json answer turned into an ApiError (which
// problems.ts says in the page's language), and pages() following the API's paging to the end.
// Nothing here imports the rest of the page, so that the hosts' confirmation page can use it too.

export interface Problem {
  status: number;
  code: string;
  detail: string;
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail);
  }
}

export interface Feature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: Record<string, any>;
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  numberMatched: number;
  numberReturned: number;
  features: Feature[];
}

export interface Me {
  name: string;
  role: string;
  /** The towns the user works for (/api/me; empty with all_municipalities: every town). */
  municipalities?: { lg_code: string; name: string | null }[];
  all_municipalities?: boolean;
}

const CSRF_KEY = 'tsunagi.csrf';

export interface RequestOptions extends RequestInit {
  /** 'omit' for the hosts' confirmation page: its link is the key, no session goes with it. */
  credentials?: RequestCredentials;
}

/** The one fetch of the page: the session's cookie (same origin), and the CSRF token on writes. */
export async function request(path: string, init: RequestOptions = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD' && init.credentials !== 'omit') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers.set('X-CSRF-Token', csrf);
  }
  return fetch(path, { ...init, headers, credentials: init.credentials ?? 'same-origin' });
}

/** The ApiError of a failed answer: the problem+json's code and detail, else the status. */
export async function problemOf(r: Response): Promise<ApiError> {
  let body: any = {};
  try {
    body = await r.json();
  } catch {
    /* not JSON */
  }
  return new ApiError({
    status: r.status,
    code: String(body?.code ?? r.status),
    detail: String(body?.detail ?? r.statusText),
  });
}

/** A JSON answer. @throws ApiError when the server answers with an error, TypeError when it
 *  cannot be reached. */
export async function getJson<T>(path: string, init: RequestOptions = {}): Promise<T> {
  const r = await request(path, init);
  if (!r.ok) throw await problemOf(r);
  return (await r.json()) as T;
}

const json = getJson;

/** A JSON body sent with `method`; the answer's JSON. */
export function sendJson<T>(path: string, method: string, body: unknown, init: RequestOptions = {}): Promise<T> {
  return getJson<T>(path, {
    ...init,
    method,
    headers: { 'Content-Type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    body: JSON.stringify(body),
  });
}

interface Link {
  rel: string;
  href: string;
}

/** The page after `page`: its `next` link (/api/resources, /api/gap/jobs, the OGC API's items)
 *  or its `next` member (/api/audit), as a path on this origin; null on the last page. */
export function nextPage(page: { links?: Link[]; next?: unknown }): string | null {
  const link = (page.links ?? []).find((l) => l.rel === 'next');
  const href = link?.href ?? (typeof page.next === 'string' ? page.next : null);
  if (!href) return null;
  // The server names its own host, which a proxy may not share: keep the path and query.
  const u = new URL(href, window.location.origin);
  return u.pathname + u.search;
}

/** The most pages pages() follows: 1000 pages of the server's largest page size is far beyond
 *  any municipality; a server that keeps giving `next` links is an error, not a list. */
export const MAX_PAGES = 1000;

/** Every item of a paged list, following the API's paging from `first` to the last page.
 *  `items` takes a page's items. When the pages say how many there are (numberMatched) and the
 *  items collected differ, or the pages do not end, it throws instead of returning a short list.
 *  @throws ApiError, Error */
export async function pages<P extends { links?: Link[]; next?: unknown; numberMatched?: number }, T>(
  first: string,
  items: (page: P) => T[],
  init: RequestOptions = {},
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let url: string | null = first;
  let matched: number | undefined;
  for (let n = 0; url; n++) {
    if (n >= MAX_PAGES || seen.has(url)) throw new Error(`${first}: the pages do not end (${url})`);
    seen.add(url);
    const page: P = await getJson<P>(url, init);
    if (typeof page.numberMatched === 'number') matched = page.numberMatched;
    out.push(...items(page));
    url = nextPage(page);
  }
  // A list that changed while it was read (an item added or gone between two pages) is read again
  // by the caller's next refresh; a short read is never taken for the whole list.
  if (matched !== undefined && out.length !== matched) {
    throw new Error(`${first}: ${out.length} items read where the server counts ${matched}`);
  }
  return out;
}

/** 「情報の誤りを報告」: a short text, no personal details (the server refuses them). */
export async function reportMistake(id: string, text: string): Promise<void> {
  await json<unknown>(`/api/resources/${encodeURIComponent(id)}/reports`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text }),
  });
}

/** One field of a resource as GET /api/fields gives it (the server's field table,
 * geo/core/resource_fields): what the caller's role may see, and whether it may edit it. */
export interface FieldInfo {
  key: string;
  kind: 'text' | 'date' | 'int' | 'bool' | 'number' | 'enum' | 'enum_set' | 'object' | 'list';
  label: string;
  plain: boolean;
  required: boolean;
  editable: boolean;
  codes?: { id: string; ja: string }[];
  max_chars?: number;
  /** The detail view and the editor show it from here rather than laying it out by hand. */
  on_pages?: boolean;
}

export async function fields(): Promise<FieldInfo[]> {
  return (await json<{ fields: FieldInfo[] }>('/api/fields')).fields;
}

/** A plain field's value as the pages show it (codes by their Japanese label). */
export function fieldText(f: FieldInfo, v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  const ja = (id: unknown) => f.codes?.find((c) => c.id === id)?.ja ?? String(id);
  if (f.kind === 'enum') return ja(v);
  if (f.kind === 'enum_set') return Array.isArray(v) ? v.map(ja).join('・') : '';
  if (f.kind === 'bool') return v === true ? 'はい' : v === false ? 'いいえ' : '';
  return String(v);
}

export function listResources(params: URLSearchParams): Promise<FeatureCollection> {
  return json<FeatureCollection>(`/api/resources?${params}`);
}

export async function getResource(id: string): Promise<{ feature: Feature; etag: string }> {
  const r = await request(`/api/resources/${encodeURIComponent(id)}`, { cache: 'no-store' });
  if (!r.ok) throw await problemOf(r);
  return { feature: (await r.json()) as Feature, etag: r.headers.get('ETag') ?? '' };
}

export async function saveResource(
  body: Record<string, unknown>,
  id?: string,
  etag?: string,
): Promise<{ feature: Feature; etag: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (id && etag) headers['If-Match'] = etag;
  const r = await request(id ? `/api/resources/${encodeURIComponent(id)}` : '/api/resources', {
    method: id ? 'PUT' : 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (!r.ok) throw await problemOf(r);
  return { feature: (await r.json()) as Feature, etag: r.headers.get('ETag') ?? '' };
}

export async function login(name: string, password: string): Promise<Me> {
  const body = await json<Me & { csrf_token: string }>('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  sessionStorage.setItem(CSRF_KEY, body.csrf_token);
  return { name: body.name, role: body.role };
}

export async function logout(): Promise<void> {
  try {
    await request('/api/logout', { method: 'POST' });
  } finally {
    sessionStorage.removeItem(CSRF_KEY);
  }
}

/** Who is signed in (null for the public, or when the session has no CSRF token here). */
export async function me(): Promise<Me | null> {
  if (!sessionStorage.getItem(CSRF_KEY)) return null;
  const r = await request('/api/me', { cache: 'no-store' });
  if (!r.ok) {
    sessionStorage.removeItem(CSRF_KEY);
    return null;
  }
  return (await r.json()) as Me;
}

export interface GeocodeMatch {
  label: string;
  lon: number;
  lat: number;
  level: 'city' | 'town' | 'koaza';
  approximate: boolean;
  rest: string;
}

export async function geocode(q: string): Promise<GeocodeMatch[]> {
  const body = await json<{ matches: GeocodeMatch[] }>(
    `/api/geocode?q=${encodeURIComponent(q)}&limit=5`,
  );
  return body.matches;
}

export interface Source {
  id?: number;
  title: string;
  publisher: string;
  url: string;
  license: string;
  attribution: string;
  use: string;
}

/** One credit text, once, with everything it was used for (resources, boundaries, areas,
 *  statistics, geocoding, walking_network). */
export interface Credit {
  publisher: string;
  attribution: string;
  license: string;
  url: string;
  uses: string[];
  titles: string[];
}

let sourcesOnce: Promise<{ sources: Source[]; credits: Credit[] }> | null = null;
let sourcesTown = '';
/** One town's map (municipality=): its credits only. */
export function setSourcesMunicipality(code: string): void {
  if (code !== sourcesTown) sourcesOnce = null;
  sourcesTown = code;
}
function sourcesBody(): Promise<{ sources: Source[]; credits: Credit[] }> {
  const q = sourcesTown ? `?municipality=${encodeURIComponent(sourcesTown)}` : '';
  sourcesOnce ??= json<{ sources: Source[]; credits: Credit[] }>(`/api/sources${q}`);
  sourcesOnce.catch(() => (sourcesOnce = null));
  return sourcesOnce;
}

export async function sources(): Promise<Source[]> {
  return (await sourcesBody()).sources;
}

export async function credits(): Promise<Credit[]> {
  return (await sourcesBody()).credits ?? [];
}

// ---- 参加支援 matching (POST /api/match, matchers only; geo/analysis/matching.cpp gives the shapes) ----

/** The body of POST /api/match: an approximate place, wishes and constraints — no person. */
export interface MatchRequest {
  at?: [number, number]; // lon, lat
  area?: string; // a 町丁's id or code
  kinds?: string[];
  activities?: string[];
  tasks?: string[];
  availability?: { day: string; from?: string; to?: string }[];
  max_walk_min?: number;
  step_free?: boolean;
  short_hours?: boolean;
  low_contact?: boolean;
  companion?: boolean;
  age_band?: string; // "50s"
  walking_profile?: 'standard' | 'slow';
}

export interface LineString {
  type: 'LineString';
  coordinates: [number, number][];
}

export interface MatchCandidate {
  id: string;
  name: string;
  kind: string;
  kind_ja: string;
  lon: number;
  lat: number;
  walk_m: number;
  walk_min: number;
  straight_m: number;
  score: number;
  factors: Record<string, number>;
  reasons: string[];
  route?: LineString; // only when walked on the network
}

export interface MatchExcluded {
  id: string;
  name: string;
  kind: string;
  straight_m: number;
  walk_m: number | null; // null: not reachable on foot within the limit
  reasons: string[];
}

export interface MatchResult {
  network: 'walking' | 'straight_line';
  walking_profile: string;
  speed_m_per_min: number;
  max_walk_min: number;
  detour_factor?: number;
  origin: { lon: number; lat: number; place: string; off_network_m?: number };
  candidates: MatchCandidate[];
  excluded: MatchExcluded[];
  catchment: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown } | null;
  note?: string;
}

/** @throws ApiError with the server's status (400 bad request, 401, 403), or a TypeError when
 *  the server cannot be reached. */
export function match(body: MatchRequest): Promise<MatchResult> {
  return json<MatchResult>('/api/match', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
}

export interface AreaItem {
  id: string;
  code: string;
  name: string;
  kind: string;
  parent_id?: string; // the enclosing area (a 町丁's 市町村)
  label_lon: number; // its representative point
  label_lat: number;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: any } | null;
}

/** The small areas (町丁・字等; the 大字/丁目 of older stores) of the store, by name, with their
 *  shapes, every page of the OGC API areas collection: the matching form offers them, and a
 *  referral records the one a point lies in. */
interface AreaPage {
  features: { properties: AreaItem; geometry: AreaItem['geometry'] }[];
  links?: Link[];
  numberMatched?: number;
}

export async function smallAreas(): Promise<AreaItem[]> {
  const all = await pages<AreaPage, AreaPage['features'][number]>(
    '/ogc/collections/areas/items?limit=1000',
    (p) => p.features,
  );
  const out: AreaItem[] = [];
  for (const f of all) {
    if (['small_area', 'chome', 'oaza'].includes(f.properties.kind)) {
      out.push({ ...f.properties, geometry: f.geometry });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'ja'));
}

/** The body of POST /api/referrals (server/referrals_api.cpp, geo/core/referral.cpp): these fields
 *  only — no name, address or point. */
export interface NewReferral {
  resource_id: string;
  legal_basis: 'shien_kaigi' | 'consent';
  consent_scope?: string[];
  consent_date?: string; // YYYY-MM-DD
  home_area: string; // a 町丁 (or coarser) area id
  age_band: string; // "50s"
  needs?: string[];
  follow_up_due?: string;
}

export function createReferral(body: NewReferral): Promise<{ case_id: string; status_label: string }> {
  return json('/api/referrals', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
}

// ---- gap analyses (background jobs; planner, coordinator and admin) ----

export interface GapRequest {
  analysis: 'coverage' | 'site' | 'access' | 'rank';
  kinds: string[];
  target: string;
  max_walk_min: number;
  walking_profile?: string;
  candidate_kinds?: string[];
  k?: number;
  /** One town's figures (its 6-digit code); absent = every town the caller works for. */
  municipality?: string;
}

export interface GapJob {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: number;
  stage: string;
  error?: string;
  request?: Record<string, any>;
  result?: Record<string, any>;
}

export function gapStart(body: GapRequest): Promise<GapJob> {
  return json<GapJob>('/api/gap/jobs', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function gapJob(id: string): Promise<GapJob> {
  return json<GapJob>(`/api/gap/jobs/${encodeURIComponent(id)}`, { cache: 'no-store' });
}

export async function gapCancel(id: string): Promise<void> {
  const r = await request(`/api/gap/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
  if (!r.ok) throw await problemOf(r);
}

/** The areas with people left out, with their boundaries (properties = the job's rows). */
export function gapGeojson(id: string): Promise<{ type: 'FeatureCollection'; features: any[] }> {
  return json(`/api/gap/jobs/${encodeURIComponent(id)}?format=geojson&layer=uncovered`, { cache: 'no-store' });
}

// ---- 紹介の記録: the matcher's cases (server/referrals_api.cpp; geo/referral.cpp gives the shape) ----

export interface CodeLabel {
  code: string;
  label: string;
}

export interface Referral {
  case_id: string;
  resource_id: string;
  legal_basis: CodeLabel;
  home_area: string;
  age_band: string;
  needs: CodeLabel[];
  status: string;
  status_label: string;
  allowed_next: string[];
  holds_slot: boolean;
  follow_up_due: string | null;
  decline_reason: CodeLabel | null;
  version: number;
  created_at: string;
  updated_at: string;
  closed_at?: string;
  history: { at: string; by: string; status: string; label: string; reason?: CodeLabel }[];
}

export interface PlacementStats {
  resource_id: string;
  through: string;
  suppressed: boolean;
  k_min: number;
  answered: number | null;
  share_accepted: number | null;
}

export async function listReferrals(): Promise<Referral[]> {
  return (await json<{ referrals: Referral[] }>('/api/referrals', { cache: 'no-store' })).referrals;
}

export function overdueReferrals(): Promise<{ as_of: string; referrals: Referral[] }> {
  return json('/api/referrals/overdue', { cache: 'no-store' });
}

export async function referralStats(): Promise<PlacementStats[]> {
  return (await json<{ placements: PlacementStats[] }>('/api/referrals/stats', { cache: 'no-store' })).placements;
}

export function transitionReferral(id: string, to: string, reason?: string): Promise<Referral> {
  return json(`/api/referrals/${encodeURIComponent(id)}/transitions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(reason ? { to, reason } : { to }),
    cache: 'no-store',
  });
}

export function setFollowUp(id: string, due: string | null): Promise<Referral> {
  return json(`/api/referrals/${encodeURIComponent(id)}/follow-up`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ follow_up_due: due }),
    cache: 'no-store',
  });
}
