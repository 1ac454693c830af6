// The matching page (#/match, 参加支援 matchers only): an assessment form → POST /api/match →
// the walking reach, the ranked candidates with their reasons, the close places left out and
// why; a selected candidate's walking route on the map, and a printable handout for it.
//
// What the form holds is about a person: it stays in this page's memory only — never in the
// URL, in storage or in the handout — and it is cleared on sign-out and when the page is left.
import * as api from './api';
import type { MatchCandidate, MatchRequest, MatchResult } from './api';
import { areaAt as areaContaining } from './areas';
import { ACTIVITIES, DAYS, kindStyle } from './codes';
import { t } from './i18n';
import type { MapView } from './mapview';
import { openHandoutDialog, printHandout } from './handout';
import { paintSwatches } from './csp';
import { problemText } from './problems';

export interface MatchHost {
  mapView(): MapView;
  pickPoint(cb: (p: [number, number]) => void): void;
  stopPicking(): void;
  announce(text: string): void;
  basemap(): import('./mapview').BasemapConfig | null;
  localBasemap(): import('./basemap').LocalBasemap | null;
  credits(): string;
  /** The server said 401: the session is gone (signed out elsewhere, or expired). */
  signedOut(): void;
}

/** The kinds a person is placed in or joins (the server's default when none is chosen). */
const MATCH_KINDS = ['placement_site', 'nofuku_site', 'ibasho', 'kayoi_no_ba', 'chiiki_katsudo_shien_center'];
const TASKS = ['seiso', 'nosagyo', 'keisagyo', 'chori', 'sekkyaku', 'jimu', 'haitatsu', 'mimamori', 'seisaku', 'it'];
const AGE_BANDS = ['10s', '20s', '30s', '40s', '50s', '60s', '70s', '80s', '90s'];
const CONSTRAINTS = ['step_free', 'short_hours', 'low_contact', 'companion'] as const;

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

type Place =
  | { at: [number, number]; label?: string } // no label: a point picked on the map
  | { area: string; label: string; point: [number, number] };

let host: MatchHost;
let root: HTMLElement;
let place: Place | null = null;
let result: MatchResult | null = null;
/** The request and place the shown answer came from (a referral records them, not the form now). */
let asked: { request: MatchRequest; place: Place } | null = null;
/** Referrals recorded from the shown answer: placement id → what was said (recorded once). */
const recorded = new Map<string, string>();
let areas: api.AreaItem[] | null = null;
let seq = 0;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function checks(name: string, legend: string, values: string[], label: (v: string) => string, hint = ''): string {
  return `<fieldset class="field checks" id="m-${name}"${hint ? ` aria-describedby="m-${name}-hint"` : ''}>
    <legend>${esc(legend)}</legend>
    ${hint ? `<p class="hint" id="m-${name}-hint">${esc(hint)}</p>` : ''}
    ${values
      .map((v) => `<label><input type="checkbox" name="${name}" value="${v}"> ${esc(label(v))}</label>`)
      .join('')}
  </fieldset>`;
}

function formHtml(): string {
  const areaOptions = (areas ?? [])
    .map((a) => `<option value="${esc(a.id)}">${esc(a.name)}</option>`)
    .join('');
  return `
    <div class="match-head">
      <h2 id="match-title" tabindex="-1">${esc(t('match.title'))}</h2>
      <a href="#/" id="match-close" class="button-link">${esc(t('match.back'))}</a>
    </div>
    <p class="hint">${esc(t('match.privacy'))}</p>
    <form id="match-form" class="match-form" novalidate>
      <fieldset class="field" id="m-place" aria-describedby="m-place-now">
        <legend>${esc(t('match.place'))}</legend>
        <button type="button" id="m-pick">${esc(t('match.place_pick'))}</button>
        <label for="m-area">${esc(t('match.area'))}</label>
        <select id="m-area"><option value="">${esc(t('match.area_none'))}</option>${areaOptions}</select>
        <label for="m-address">${esc(t('match.address'))}</label>
        <div class="inline">
          <input type="text" id="m-address" autocomplete="off" placeholder="${esc(t('filters.place_placeholder'))}">
          <button type="button" id="m-address-go">${esc(t('match.address_go'))}</button>
        </div>
        <p id="m-place-now" class="place-now" aria-live="polite">${esc(placeText())}</p>
        <p class="field-error" id="m-place-error" role="alert"></p>
      </fieldset>
      ${checks('kinds', t('match.kinds'), MATCH_KINDS, (v) => t(`kind.${v}`), t('match.kinds_hint'))}
      ${checks('activities', t('match.activities'), ACTIVITIES, (v) => t(`activity.${v}`))}
      ${checks('tasks', t('match.tasks'), TASKS, (v) => t(`task.${v}`))}
      <fieldset class="field" id="m-when" aria-describedby="m-when-hint">
        <legend>${esc(t('match.when'))}</legend>
        <p class="hint" id="m-when-hint">${esc(t('match.when_hint'))}</p>
        <div class="checks">${DAYS.map(
          (d) => `<label><input type="checkbox" name="days" value="${d}"> ${esc(t(`day.${d}`))}</label>`,
        ).join('')}</div>
        <div class="row two">
          <div><label for="m-from">${esc(t('match.from'))}</label><input type="time" id="m-from" step="900"></div>
          <div><label for="m-to">${esc(t('match.to'))}</label><input type="time" id="m-to" step="900"></div>
        </div>
        <p class="field-error" id="m-when-error" role="alert"></p>
      </fieldset>
      <div class="row two">
        <div class="field">
          <label for="m-walk">${esc(t('match.max_walk'))}</label>
          <input type="number" id="m-walk" min="1" max="120" step="1" value="20" inputmode="numeric">
        </div>
        <div class="field">
          <label for="m-profile">${esc(t('match.profile'))}</label>
          <select id="m-profile">
            <option value="standard">${esc(t('match.profile_standard'))}</option>
            <option value="slow">${esc(t('match.profile_slow'))}</option>
          </select>
        </div>
      </div>
      <p class="field-error" id="m-walk-error" role="alert"></p>
      ${checks('constraints', t('match.constraints'), [...CONSTRAINTS], (v) => t(`match.${v}`))}
      <div class="field">
        <label for="m-age">${esc(t('match.age_band'))}</label>
        <select id="m-age"><option value="">${esc(t('match.age_none'))}</option>${AGE_BANDS.map(
          (b) => `<option value="${b}">${esc(t('match.age', { n: b.slice(0, 2) }))}</option>`,
        ).join('')}</select>
      </div>
      <div class="buttons">
        <button type="submit" id="m-submit">${esc(t('match.submit'))}</button>
        <button type="reset" id="m-reset">${esc(t('match.reset'))}</button>
      </div>
      <p id="m-error" class="error" role="alert"></p>
    </form>
    <section id="m-results" class="match-results" hidden aria-labelledby="m-results-title">
      <h3 id="m-results-title" tabindex="-1"></h3>
      <p id="m-banner" class="banner" hidden></p>
      <p id="m-note" class="hint"></p>
      <ol id="m-candidates" class="list match-list"></ol>
      <details id="m-excluded" class="excluded">
        <summary id="m-excluded-title"></summary>
        <ul id="m-excluded-list"></ul>
      </details>
    </section>`;
}

function placeText(): string {
  return place
    ? t('match.place_now', { label: place.label ?? t('match.place_point') })
    : t('match.place_unset');
}

function setPlace(p: Place | null): void {
  place = p;
  $('m-place-now').textContent = placeText();
  $('m-place-error').textContent = '';
  clearResult();
  // The approximate point on the matcher's screen only (a 町丁's representative point for an area).
  host.mapView().setMatchOrigin(p ? ('at' in p ? p.at : p.point) : undefined);
}

function checked(name: string): string[] {
  return [...root.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);
}

/** The request from the form, or null after marking what is missing. */
function readForm(): MatchRequest | null {
  let ok = true;
  for (const id of ['m-place-error', 'm-when-error', 'm-walk-error', 'm-error']) $(id).textContent = '';
  const body: MatchRequest = {};
  if (!place) {
    $('m-place-error').textContent = t('match.place_required');
    ok = false;
  } else if ('at' in place) {
    body.at = place.at;
  } else {
    body.area = place.area;
  }
  const kinds = checked('kinds');
  if (kinds.length) body.kinds = kinds;
  const activities = checked('activities');
  if (activities.length) body.activities = activities;
  const tasks = checked('tasks');
  if (tasks.length) body.tasks = tasks;
  const days = checked('days');
  const from = $<HTMLInputElement>('m-from').value;
  const to = $<HTMLInputElement>('m-to').value;
  if (!!from !== !!to || (from && to && from >= to)) {
    $('m-when-error').textContent = t('match.when_invalid');
    ok = false;
  } else if ((from || to) && !days.length) {
    $('m-when-error').textContent = t('match.when_no_day');
    ok = false;
  } else if (days.length) {
    body.availability = days.map((day) => (from ? { day, from, to } : { day }));
  }
  const walk = Number($<HTMLInputElement>('m-walk').value);
  if (!Number.isInteger(walk) || walk < 1 || walk > 120) {
    $('m-walk-error').textContent = t('match.walk_invalid');
    $('m-walk').setAttribute('aria-invalid', 'true');
    ok = false;
  } else {
    $('m-walk').removeAttribute('aria-invalid');
    body.max_walk_min = walk;
  }
  for (const c of checked('constraints')) body[c as (typeof CONSTRAINTS)[number]] = true;
  const age = $<HTMLSelectElement>('m-age').value;
  if (age) body.age_band = age;
  body.walking_profile = $<HTMLSelectElement>('m-profile').value === 'slow' ? 'slow' : 'standard';
  if (!ok) {
    // The first control of the first field in error, in the form's order.
    const first = [
      ['m-place-error', 'm-pick'],
      ['m-when-error', 'm-from'],
      ['m-walk-error', 'm-walk'],
    ].find(([err]) => $(err).textContent);
    if (first) $(first[1]).focus();
  }
  return ok ? body : null;
}

/** What to tell the matcher for a failed request. */
function errorText(e: unknown): string {
  if (e instanceof api.ApiError) {
    const p = e.problem;
    if (p.status === 400) return t('match.error_400', { detail: problemText(e) });
    if (p.status === 401) return t('match.error_401');
    if (p.status === 403) return t('match.error_403');
    return t('match.error_other', { status: p.status, detail: problemText(e) });
  }
  return t('match.error_network');
}

async function submit(ev: Event): Promise<void> {
  ev.preventDefault();
  const body = readForm();
  if (!body) return;
  const mine = ++seq;
  const button = $<HTMLButtonElement>('m-submit');
  button.disabled = true;
  root.setAttribute('aria-busy', 'true');
  host.announce(t('match.searching'));
  try {
    const r = await api.match(body);
    if (mine !== seq) return;
    asked = { request: body, place: place! };
    recorded.clear();
    showResult(r);
  } catch (e) {
    if (mine !== seq) return;
    clearResult();
    $('m-error').textContent = errorText(e);
    host.announce($('m-error').textContent ?? '');
    if (e instanceof api.ApiError && e.problem.status === 401) host.signedOut();
  } finally {
    if (mine === seq) {
      button.disabled = false;
      root.removeAttribute('aria-busy');
    }
  }
}

function distance(m: number): string {
  return m < 1000 ? t('distance.m', { n: Math.round(m) }) : t('distance.km', { n: (m / 1000).toFixed(1) });
}

/** Shows an answer; `quiet` (a language switch) keeps the map, the focus and the status as they are. */
function showResult(r: MatchResult, quiet = false): void {
  result = r;
  const walking = r.network === 'walking';
  $('m-results').hidden = false;
  $('m-results-title').textContent = t('match.results', { n: r.candidates.length });
  const banner = $('m-banner');
  banner.hidden = walking;
  banner.textContent = walking ? '' : t('match.straight_line', { factor: r.detour_factor ?? 1.3 });
  $('m-note').textContent = t('match.speed', {
    min: r.max_walk_min,
    profile: t(`match.profile_${r.walking_profile === 'slow' ? 'slow' : 'standard'}`),
  });
  const list = $('m-candidates');
  list.innerHTML = '';
  if (!r.candidates.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('match.none');
    list.append(li);
  }
  r.candidates.forEach((c, i) => {
    const k = kindStyle(c.kind);
    const li = document.createElement('li');
    li.dataset.id = c.id;
    const way = walking
      ? t('match.way_walk', { walk: distance(c.walk_m), straight: distance(c.straight_m) })
      : t('match.way_estimate', { walk: distance(c.walk_m) });
    li.innerHTML = `<button type="button" class="item" aria-pressed="false" aria-describedby="m-c${i}-meta m-c${i}-why">
        <span class="num" aria-hidden="true">${i + 1}</span>
        <span class="sym" data-swatch="${k.color}" aria-hidden="true">${esc(k.symbol)}</span>
        <span class="body"><span class="name">${esc(c.name)}</span>
        <span class="meta" id="m-c${i}-meta"><span class="kind">${esc(t(`kind.${c.kind}`))}</span> ·
          <strong class="walk-min">${esc(t('match.walk_min', { n: c.walk_min }))}</strong> ·
          <span class="way">${esc(way)}</span> ·
          <span class="score">${esc(t('match.score', { n: c.score }))}</span></span></span></button>
      <ul class="reasons" id="m-c${i}-why" lang="ja">${c.reasons.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>
      <div class="candidate-actions" hidden>
        <button type="button" class="handout">${esc(t('match.handout'))}</button>
      </div>`;
    paintSwatches(li);
    li.querySelector<HTMLButtonElement>('.item')!.addEventListener('click', () => select(c.id));
    li.querySelector<HTMLButtonElement>('.handout')!.addEventListener('click', () => void handout(c));
    list.append(li);
  });
  const ex = $('m-excluded-list');
  $('m-excluded-title').textContent = t('match.excluded', { n: r.excluded.length });
  $<HTMLDetailsElement>('m-excluded').hidden = !r.excluded.length;
  ex.innerHTML = r.excluded
    .map(
      (e) => `<li data-id="${esc(e.id)}"><span class="name">${esc(e.name)}</span>
        <span class="meta">${esc(t(`kind.${e.kind}`))} · ${esc(t('match.straight', { d: distance(e.straight_m) }))}</span>
        <span class="why" lang="ja">${esc(e.reasons.join('、'))}</span></li>`,
    )
    .join('');
  const mv = host.mapView();
  mv.setMatch({
    catchment: r.catchment,
    origin: [r.origin.lon, r.origin.lat],
    candidates: r.candidates.map((c, i) => ({ id: c.id, n: i + 1, coordinates: [c.lon, c.lat] })),
  });
  if (quiet) return;
  fitTo(
    r.catchment ? outerRing(r.catchment) : [[r.origin.lon, r.origin.lat], ...r.candidates.map((c) => [c.lon, c.lat] as [number, number])],
  );
  host.announce(t('match.results', { n: r.candidates.length }));
  $('m-results-title').focus();
  document.body.dataset.matchReady = String(Number(document.body.dataset.matchReady ?? 0) + 1);
}

function outerRing(g: MatchResult['catchment']): [number, number][] {
  if (!g) return [];
  const c = g.coordinates as any;
  return (g.type === 'Polygon' ? c[0] : c.flatMap((p: any) => p[0])) as [number, number][];
}

function fitTo(points: [number, number][]): void {
  if (!points.length) return;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  host.mapView().map.fitBounds([w, s, e, n], { padding: 40, maxZoom: 16, duration: 0 });
}

function select(id: string, quiet = false): void {
  if (!result) return;
  const c = result.candidates.find((x) => x.id === id);
  if (!c) return;
  for (const li of $('m-candidates').querySelectorAll<HTMLLIElement>('li[data-id]')) {
    const on = li.dataset.id === id;
    li.classList.toggle('selected', on);
    li.querySelector('.item')!.setAttribute('aria-pressed', String(on));
    li.querySelector<HTMLElement>('.candidate-actions')!.hidden = !on;
  }
  host.mapView().setSelected(id, c.route ?? null);
  const li = $('m-candidates').querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"]`);
  if (!quiet) {
    fitTo(c.route ? c.route.coordinates : [[result.origin.lon, result.origin.lat], [c.lon, c.lat]]);
    host.announce(
      c.route ? t('match.selected_route', { name: c.name, n: c.walk_min }) : t('match.selected_no_route', { name: c.name }),
    );
    li?.scrollIntoView({ block: 'nearest' });
  }
  document.body.dataset.matchSelected = id;
  document.getElementById('m-ref')?.remove();
  if (li) void offerReferral(c, li);
}

// ---- 紹介を記録: a referral (POST /api/referrals) for a placement, with what the server takes ----

/** The 町丁 a point lies in: a referral records the home area no finer than that. */
function areaAt(p: [number, number]): api.AreaItem | undefined {
  return areaContaining(areas ?? [], p);
}

const NEEDS = ['step_free', 'short_hours', 'low_contact', 'companion'] as const; // NeedTag ids too
const SCOPES = ['share_with_host', 'share_with_agencies', 'contact_by_phone'];

/** Offers 紹介を記録 under the selected candidate when it is a placement (it has an offer). */
async function offerReferral(c: MatchCandidate, li: HTMLElement): Promise<void> {
  let p: Record<string, any>;
  try {
    p = (await api.getResource(c.id)).feature.properties;
  } catch {
    return; // the handout and the list still work; a referral needs the placement's offer
  }
  if (!p.offer || document.body.dataset.matchSelected !== c.id || !asked) return;
  const req = asked.request;
  const area = 'area' in asked.place ? areas?.find((a) => a.id === (asked!.place as { area: string }).area) : areaAt(asked.place.at);
  const needs = NEEDS.filter((n) => req[n]);
  const done = recorded.get(c.id) ?? '';
  const missing = !area ? t('match.ref_no_area') : !req.age_band ? t('match.ref_no_age') : '';
  const what = t('match.ref_what', {
    place: c.name,
    area: area?.name ?? '—',
    age: req.age_band ? t('match.age', { n: req.age_band.slice(0, 2) }) : '—',
    needs: needs.length ? needs.map((n) => t(`match.${n}`)).join('・') : t('match.ref_needs_none'),
  });
  const box = document.createElement('details');
  box.id = 'm-ref';
  box.className = 'referral';
  box.innerHTML = `<summary>${esc(t('match.ref'))}</summary>
    <form id="m-ref-form" novalidate>
      <fieldset class="field"><legend>${esc(t('match.ref_basis'))}</legend>
        <div class="checks">
          <label><input type="radio" name="m-ref-basis" value="shien_kaigi" checked> ${esc(t('match.ref_basis_shien_kaigi'))}</label>
          <label><input type="radio" name="m-ref-basis" value="consent"> ${esc(t('match.ref_basis_consent'))}</label>
        </div>
      </fieldset>
      <fieldset class="field" id="m-ref-consent" hidden><legend>${esc(t('match.ref_scope'))}</legend>
        <div class="checks">${SCOPES.map(
          (v) => `<label><input type="checkbox" name="m-ref-scope" value="${v}"> ${esc(t(`match.ref_scope_${v}`))}</label>`,
        ).join('')}</div>
        <label for="m-ref-consent-date">${esc(t('match.ref_consent_date'))}</label>
        <input type="date" id="m-ref-consent-date">
      </fieldset>
      <div class="field"><label for="m-ref-due">${esc(t('match.ref_due'))}</label><input type="date" id="m-ref-due"></div>
      <p class="hint" id="m-ref-what">${esc(what)}</p>
      <button type="submit" id="m-ref-submit" ${missing || done ? 'disabled' : ''} aria-describedby="m-ref-what">${esc(t('match.ref_submit'))}</button>
      <p class="error" id="m-ref-error" role="alert">${esc(missing)}</p>
      <p id="m-ref-done" class="done" role="status">${esc(done)}</p>
      <p><a href="#/cases" id="m-ref-cases" class="button-link" ${done ? '' : 'hidden'}>${esc(t('match.ref_open_cases'))}</a></p>
    </form>`;
  if (done) box.open = true;
  li.querySelector('.candidate-actions')!.append(box);
  const form = box.querySelector('form')!;
  form.addEventListener('change', () => {
    const consent = form.querySelector<HTMLInputElement>('input[name="m-ref-basis"]:checked')?.value === 'consent';
    $('m-ref-consent').hidden = !consent;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!area || !req.age_band || recorded.has(c.id)) return;
    const basis = form.querySelector<HTMLInputElement>('input[name="m-ref-basis"]:checked')!.value as 'shien_kaigi' | 'consent';
    const body: api.NewReferral = { resource_id: c.id, legal_basis: basis, home_area: area.id, age_band: req.age_band };
    if (needs.length) body.needs = [...needs];
    if (basis === 'consent') {
      body.consent_scope = [...form.querySelectorAll<HTMLInputElement>('input[name="m-ref-scope"]:checked')].map((i) => i.value);
      body.consent_date = $<HTMLInputElement>('m-ref-consent-date').value;
      if (!body.consent_scope.length || !body.consent_date) {
        $('m-ref-error').textContent = t('match.ref_consent_missing');
        return;
      }
    }
    const due = $<HTMLInputElement>('m-ref-due').value;
    if (due) body.follow_up_due = due;
    $('m-ref-error').textContent = '';
    const button = $<HTMLButtonElement>('m-ref-submit');
    button.disabled = true;
    try {
      const made = await api.createReferral(body);
      // Recorded once: the button stays off, so that a second click makes no second case.
      recorded.set(c.id, t('match.ref_done', { id: made.case_id, status: made.status_label }));
      $('m-ref-done').textContent = recorded.get(c.id)!;
      $('m-ref-cases').hidden = false;
    } catch (err) {
      button.disabled = false;
      const status = err instanceof api.ApiError ? err.problem.status : 0;
      $('m-ref-error').textContent =
        status === 400 || status === 409
          ? t('match.ref_error', { detail: problemText(err) })
          : errorText(err);
      if (err instanceof api.ApiError && err.problem.status === 401) host.signedOut();
    }
  });
}

function handout(c: MatchCandidate): void {
  // The worker's name and phone, the first visit and what to bring are typed for the sheet
  // alone (handout.ts): never kept here, never sent.
  openHandoutDialog((typed) => {
    printHandout({ candidate: c, basemap: host.basemap(), local: host.localBasemap(), credits: host.credits(), typed }).catch((e) => {
      $('m-error').textContent = errorText(e);
    });
  });
}

function clearResult(): void {
  result = null;
  asked = null;
  recorded.clear();
  if (!root) return;
  $('m-results').hidden = true;
  $('m-candidates').innerHTML = '';
  $('m-excluded-list').innerHTML = '';
  host.mapView().setMatch(null);
  delete document.body.dataset.matchSelected;
}

async function findAddress(): Promise<void> {
  const q = $<HTMLInputElement>('m-address').value.trim();
  if (!q) return;
  let m: api.GeocodeMatch[] = [];
  try {
    m = await api.geocode(q);
  } catch (e) {
    $('m-place-error').textContent = errorText(e);
    return;
  }
  if (!m.length) {
    $('m-place-error').textContent = t('edit.geocode_none');
    return;
  }
  // The 町丁目's representative point (the geocoder answers no finer): approximate on purpose.
  $<HTMLSelectElement>('m-area').value = '';
  setPlace({ at: [m[0].lon, m[0].lat], label: m[0].label });
  host.mapView().map.easeTo({ center: [m[0].lon, m[0].lat], zoom: Math.max(host.mapView().map.getZoom(), 14) });
}

function bind(): void {
  $('match-form').addEventListener('submit', (e) => void submit(e));
  $('match-form').addEventListener('reset', () => {
    place = null;
    window.setTimeout(() => {
      $('m-place-now').textContent = placeText();
      clearResult();
    }, 0);
  });
  $('m-pick').addEventListener('click', () => {
    host.announce(t('filters.pick_point_active'));
    host.pickPoint((p) => {
      host.stopPicking();
      $<HTMLSelectElement>('m-area').value = '';
      setPlace({ at: [Number(p[0].toFixed(6)), Number(p[1].toFixed(6))] });
      $('m-pick').focus();
    });
  });
  $('m-area').addEventListener('change', () => {
    const id = $<HTMLSelectElement>('m-area').value;
    const a = areas?.find((x) => x.id === id);
    setPlace(a ? { area: a.id, label: a.name, point: [a.label_lon, a.label_lat] } : null);
  });
  $('m-address-go').addEventListener('click', () => void findAddress());
  $('m-address').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void findAddress();
    }
  });
}

export function initMatch(el: HTMLElement, h: MatchHost): void {
  root = el;
  host = h;
}

/** A candidate's marker was clicked on the map: select it, and move the focus to its item. */
export function candidateClicked(id: string): void {
  if (!result || !matchOpen()) return;
  select(id);
  $('m-candidates').querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"] .item`)?.focus();
}

/** Shows the page (built afresh: the form starts empty each time the page is opened). */
export async function openMatch(): Promise<void> {
  if (areas === null) areas = await api.smallAreas().catch(() => []);
  place = null;
  result = null;
  asked = null;
  recorded.clear();
  root.innerHTML = formHtml();
  root.hidden = false;
  bind();
  host.mapView().setMatchMode(true);
  $('match-title').focus();
}

/** Hides the page and forgets everything about the person (form, answer, map layers). */
export function closeMatch(): void {
  if (!root) return;
  seq++;
  place = null;
  result = null;
  asked = null;
  recorded.clear();
  root.hidden = true;
  root.innerHTML = '';
  host.stopPicking();
  host.mapView().setMatchMode(false);
  delete document.body.dataset.matchSelected;
  // A handout left in the print sheet goes too: it was printed for this person's walk.
  const sheet = document.getElementById('print-sheet');
  if (sheet && sheet.dataset.routeFrom !== undefined) {
    sheet.innerHTML = '';
    delete sheet.dataset.routeFrom;
  }
}

/** The language changed: the page again in it, keeping what was entered, answered and chosen. */
export function relabel(): void {
  if (!matchOpen()) return;
  const fields = () =>
    [...$('match-form').querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')];
  const isCheck = (el: HTMLInputElement | HTMLSelectElement): el is HTMLInputElement =>
    el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
  const values = fields().map((el) => (isCheck(el) ? el.checked : el.value));
  const chosen = document.body.dataset.matchSelected;
  const error = $('m-error').textContent;
  root.innerHTML = formHtml(); // the same controls in the same order
  bind();
  fields().forEach((el, i) => {
    if (isCheck(el)) el.checked = values[i] as boolean;
    else el.value = values[i] as string;
  });
  $('m-error').textContent = error;
  if (result) {
    showResult(result, true);
    if (chosen) select(chosen, true);
  }
}

export function matchOpen(): boolean {
  return !!root && !root.hidden;
}
