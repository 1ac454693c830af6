// The gap analysis panel of the planner page (空白地域の分析): for planners, coordinators and
// admins only (the server answers the public 401 and a matcher 403, so the panel is not drawn for
// them). A request goes to the server as a background job (POST /api/gap/jobs); the page polls
// the job every 500 ms, shows its stage and progress, may cancel it (DELETE), and draws the answer:
// the totals in words, the areas with people left out on the map (the job's own GeoJSON, through
// showGapLayer), the areas ranked by people left out, the CSV for Excel and, for siting, the
// chosen venues as markers.
import * as maplibregl from 'maplibre-gl';
import { problemText } from './problems';
import { ApiError, gapCancel, gapGeojson, gapJob, gapStart } from './api';
import type { GapJob, GapRequest } from './api';
import { KINDS } from './codes';
import { has, lang, t } from './i18n';

export const GAP_ROLES = new Set(['planner', 'coordinator', 'admin']);
const POLL_MS = 500;

export interface GapHost {
  map(): maplibregl.Map;
  announce(text: string): void;
  /** Draws the uncovered areas (planner.ts's showGapLayer); returns how many were drawn. */
  showLayer(fc: { type: 'FeatureCollection'; features: any[] } | null): number;
  /** The answer has left the map (the choropleth may come back). */
  cleared(): void;
}

/** The towns an analysis may be about (広域: a store of several municipalities): the caller's own
 *  (every town of the store for a user of every town), whether the whole region is a choice, and
 *  the town to start with ('' = the whole region). */
export interface TownChoice {
  choices: { code: string; name: string }[];
  region: boolean;
  initial: string;
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (v: number) => Math.round(v).toLocaleString('ja-JP');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

// The form's choices, kept across a relabel or a reopening of the page.
const form = {
  analysis: 'coverage' as 'coverage' | 'site',
  kinds: new Set(['kayoi_no_ba']),
  target: 'aged_75',
  minutes: 15,
  profile: 'standard',
  candidates: new Set(['kominkan']),
  k: 2,
  town: null as string | null, // null: not chosen yet (the TownChoice's initial)
};

let host: GapHost;
let seq = 0; // a newer run or a closed page stops the polling of an older one
let timer: number | undefined;
let job: GapJob | null = null; // the job shown (running or ended)
let uncoveredCount: number | null = null;
let markers: maplibregl.Marker[] = [];

/** Counts only: a share or an estimate is not a number of people that can be left out. */
export function countFields(fields: string[]): string[] {
  return fields.filter((k) => !k.endsWith('_rate') && !k.endsWith('_estimate'));
}

function figureLabel(key: string): string {
  const l = t(`figure.${key}`);
  return l === `figure.${key}` ? key : l;
}

function unitOf(key: string): string {
  const u = t(`figure_unit.${key}`);
  return u === `figure_unit.${key}` ? t('gap.unit_person') : u;
}

/** 「75歳以上人口」→「75歳以上」: the people, without the word for the count. */
function peopleLabel(label: string): string {
  return label.replace(/人口$/, '').replace(/数$/, '') || label;
}

function kindChecks(name: string, chosen: Set<string>, legendKey: string, hintKey?: string): string {
  return `<fieldset class="field checks" id="${name}-set">
      <legend>${esc(t(legendKey))}</legend>
      ${hintKey ? `<p class="hint">${esc(t(hintKey))}</p>` : ''}
      ${KINDS.map(
        (k) =>
          `<label><input type="checkbox" name="${name}" value="${esc(k.id)}"${chosen.has(k.id) ? ' checked' : ''}> ${esc(t(`kind.${k.id}`))}</label>`,
      ).join('')}
    </fieldset>`;
}

/** The panel's HTML: the form and the places for the progress and the answer. */
export function gapHtml(fields: string[], towns: TownChoice): string {
  const counts = countFields(fields);
  if (!counts.includes(form.target)) form.target = counts.includes('aged_75') ? 'aged_75' : counts[0] ?? '';
  const town = form.town !== null && (towns.choices.some((c) => c.code === form.town) || (towns.region && form.town === '')) ? form.town : towns.initial;
  // One town to choose from (or none): the server takes the caller's own, nothing to ask.
  const townField =
    towns.choices.length + (towns.region ? 1 : 0) < 2
      ? ''
      : `<div class="field">
          <label for="gap-town">${esc(t('gap.town'))}</label>
          <select id="gap-town">${towns.region ? `<option value=""${town === '' ? ' selected' : ''}>${esc(t('gap.town_all'))}</option>` : ''}${towns.choices
            .map((c) => `<option value="${esc(c.code)}"${c.code === town ? ' selected' : ''}>${esc(c.name)}</option>`)
            .join('')}</select>
        </div>`;
  return `
    <section id="gap-section" class="gap" aria-labelledby="gap-title">
      <h3 id="gap-title">${esc(t('gap.title'))}</h3>
      <p class="hint">${esc(t('gap.intro'))}</p>
      <form id="gap-form" class="match-form" novalidate>
        <div class="field">
          <label for="gap-analysis">${esc(t('gap.analysis'))}</label>
          <select id="gap-analysis">
            <option value="coverage"${form.analysis === 'coverage' ? ' selected' : ''}>${esc(t('gap.analysis_coverage'))}</option>
            <option value="site"${form.analysis === 'site' ? ' selected' : ''}>${esc(t('gap.analysis_site'))}</option>
          </select>
        </div>
        ${townField}
        ${kindChecks('gap-kind', form.kinds, 'gap.kinds')}
        <div class="row two">
          <div class="field">
            <label for="gap-target">${esc(t('gap.target'))}</label>
            <select id="gap-target">${counts
              .map((k) => `<option value="${esc(k)}"${k === form.target ? ' selected' : ''}>${esc(figureLabel(k))}</option>`)
              .join('')}</select>
          </div>
          <div class="field">
            <label for="gap-minutes">${esc(t('gap.minutes'))}</label>
            <input type="number" id="gap-minutes" min="1" max="120" step="1" value="${form.minutes}" inputmode="numeric">
          </div>
        </div>
        <div class="field">
          <label for="gap-profile">${esc(t('gap.profile'))}</label>
          <select id="gap-profile">
            <option value="standard"${form.profile === 'standard' ? ' selected' : ''}>${esc(t('gap.profile_standard'))}</option>
            <option value="slow"${form.profile === 'slow' ? ' selected' : ''}>${esc(t('gap.profile_slow'))}</option>
          </select>
        </div>
        <div id="gap-site-fields"${form.analysis === 'site' ? '' : ' hidden'}>
          ${kindChecks('gap-candidate', form.candidates, 'gap.candidates', 'gap.candidates_hint')}
          <div class="field">
            <label for="gap-k">${esc(t('gap.k'))}</label>
            <input type="number" id="gap-k" min="1" max="20" step="1" value="${form.k}" inputmode="numeric">
          </div>
        </div>
        <p class="field-error" id="gap-form-error" role="alert"></p>
        <div class="inline">
          <button type="submit" id="gap-submit">${esc(t('gap.run'))}</button>
        </div>
      </form>
      <div id="gap-progress-box" class="gap-progress" hidden>
        <p id="gap-stage" role="status" aria-live="polite"></p>
        <progress id="gap-progress" max="1" value="0" aria-labelledby="gap-stage"></progress>
        <button type="button" id="gap-cancel">${esc(t('gap.cancel'))}</button>
      </div>
      <p class="notice" id="gap-error" role="alert" hidden></p>
      <section id="gap-result" class="gap-result" hidden aria-labelledby="gap-result-title" tabindex="-1"></section>
    </section>`;
}

function readForm(): GapRequest | string {
  form.analysis = $<HTMLSelectElement>('gap-analysis').value as 'coverage' | 'site';
  form.kinds = new Set([...document.querySelectorAll<HTMLInputElement>('input[name="gap-kind"]:checked')].map((i) => i.value));
  form.candidates = new Set(
    [...document.querySelectorAll<HTMLInputElement>('input[name="gap-candidate"]:checked')].map((i) => i.value),
  );
  form.target = $<HTMLSelectElement>('gap-target').value;
  form.profile = $<HTMLSelectElement>('gap-profile').value;
  const minutes = Number($<HTMLInputElement>('gap-minutes').value);
  const k = Number($<HTMLInputElement>('gap-k').value);
  if (!form.kinds.size) return t('gap.need_kinds');
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 120) return t('gap.bad_minutes');
  form.minutes = minutes;
  const body: GapRequest = {
    analysis: form.analysis,
    kinds: [...form.kinds],
    target: form.target,
    max_walk_min: minutes,
    walking_profile: form.profile,
  };
  const town = document.getElementById('gap-town') as HTMLSelectElement | null;
  if (town) {
    form.town = town.value;
    if (town.value) body.municipality = town.value;
  }
  if (form.analysis === 'site') {
    if (!form.candidates.size) return t('gap.need_candidates');
    if (!Number.isInteger(k) || k < 1 || k > 20) return t('gap.bad_k');
    form.k = k;
    body.candidate_kinds = [...form.candidates];
    body.k = k;
  }
  return body;
}

function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    if (p.status === 400) return t('gap.error_400', { detail: problemText(e) });
    if (p.status === 401) return t('gap.error_401');
    if (p.status === 403) return t('gap.error_403');
    if (p.status === 404) return t('gap.error_404');
    return t('gap.error_other', { status: p.status, detail: problemText(e) });
  }
  return t('gap.error_network', { detail: problemText(e) });
}

function showError(text: string | null): void {
  const el = $('gap-error');
  if (!el) return;
  el.hidden = !text;
  el.textContent = text ?? '';
}

function stageText(j: GapJob): string {
  const status = t(`gap.status_${j.status}`);
  return j.stage && j.stage !== j.status && j.stage !== 'done' ? `${status}：${j.stage}` : status;
}

function showProgress(j: GapJob): void {
  const box = $('gap-progress-box');
  if (!box) return;
  const running = j.status === 'queued' || j.status === 'running';
  box.hidden = !running;
  $('gap-stage').textContent = `${stageText(j)}（${Math.round((j.progress ?? 0) * 100)}%）`;
  const bar = $<HTMLProgressElement>('gap-progress');
  bar.value = j.progress ?? 0;
  $<HTMLButtonElement>('gap-submit').disabled = running;
  document.body.dataset.gapStatus = j.status;
}

/** A solver by its Japanese name (geo/gap/siting.cpp: glpk, greedy+swap, none). */
function solverLabel(id: string | undefined): string {
  const key = `gap.solver.${id ?? 'none'}`;
  return has(key) ? t(key) : (id ?? '');
}

/** A chosen site with its own gain: who it reaches that no existing place does, who only it
 *  reaches; flagged when the plan loses no one without it, or when it hosts the kind already. */
function chosenItem(c: any): string {
  const flags: string[] = [];
  if (typeof c.only_it === 'number' && c.only_it <= 0) flags.push(`<strong class="badge flag-none">${esc(t('gap.site_adds_none'))}</strong>`);
  if (c.already_hosts) flags.push(`<strong class="badge flag-hosts">${esc(t('gap.site_hosts', { name: c.already_hosts.name }))}</strong>`);
  const gain =
    typeof c.adds === 'number'
      ? `<span class="site-gain">${esc(t('gap.site_gain', { adds: num(c.adds), only: num(c.only_it ?? 0) }))}</span>`
      : '';
  // The areas it reaches: where its gain lies (+n people), then those already reached.
  const reaches: any[] = Array.isArray(c.reaches) ? c.reaches : [];
  const areas = reaches.length
    ? `<p class="site-areas">${esc(t('gap.site_areas', {
        areas: reaches.map((a) => (a.adds > 0 ? t('gap.site_area_adds', { name: a.name, n: num(a.adds) }) : a.name)).join('、'),
      }))}</p>`
    : `<p class="site-areas">${esc(t('gap.site_areas_none'))}</p>`;
  return `<li data-id="${esc(c.id)}"${flags.length ? ' class="flagged"' : ''}>${esc(c.name)}（${esc(t(`kind.${c.kind}`))}） ${gain} ${flags.join(' ')}${areas}</li>`;
}

/** The box around the areas with people left out ([w, s, e, n]), or null when there are none. */
export function uncoveredBounds(fc: { features: any[] } | null): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  const visit = (c: any) => {
    if (typeof c?.[0] === 'number') {
      const [x, y] = c as [number, number];
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
    } else if (Array.isArray(c)) c.forEach(visit);
  };
  for (const f of fc?.features ?? []) {
    if (f?.geometry && typeof f.properties?.uncovered === 'number' && f.properties.uncovered > 0) visit(f.geometry.coordinates);
  }
  return box;
}

/** The map moves to the areas the answer leaves without a place: where the work is. */
function fitToUncovered(fc: { features: any[] } | null): void {
  const box = uncoveredBounds(fc);
  const map = host.map();
  if (!box) return;
  map.fitBounds(box, { padding: 40, maxZoom: 16, duration: 0 });
  document.body.dataset.gapFitted = box.map((v) => v.toFixed(5)).join(',');
}

/** Removes the answer from the map: the uncovered layer and the chosen venues. */
export function clearGapMap(): void {
  for (const m of markers) m.remove();
  markers = [];
  const map = host?.map();
  if (!map) return;
  for (const id of ['gap-uncovered-line', 'gap-uncovered-fill']) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource('gap-uncovered')) map.removeSource('gap-uncovered');
  host.cleared();
}

function stopPolling(): void {
  seq++;
  if (timer !== undefined) window.clearTimeout(timer);
  timer = undefined;
}

async function run(): Promise<void> {
  const body = readForm();
  const formError = $('gap-form-error');
  if (typeof body === 'string') {
    formError.textContent = body;
    return;
  }
  formError.textContent = '';
  stopPolling();
  const my = seq;
  showError(null);
  clearGapMap();
  job = null;
  uncoveredCount = null;
  $('gap-result').hidden = true;
  $('gap-result').innerHTML = '';
  delete document.body.dataset.gapDone;
  delete document.body.dataset.gapFitted;
  let j: GapJob;
  try {
    j = await gapStart(body);
  } catch (e) {
    if (my === seq) showError(errorText(e));
    return;
  }
  if (my !== seq) return;
  document.body.dataset.gapJob = j.id;
  await poll(j, my);
}

async function poll(j: GapJob, my: number, mayReread = true): Promise<void> {
  job = j;
  showProgress(j);
  const ended = j.status !== 'queued' && j.status !== 'running';
  // The server's 202 to the submission never carries the answer, yet on a busy server a quick
  // analysis may already have ended by then: the job is read once more, at once, for its result.
  const unread = j.status === 'done' && !j.result && mayReread;
  if (!ended || unread) {
    timer = window.setTimeout(async () => {
      if (my !== seq) return;
      try {
        const next = await gapJob(j.id);
        if (my === seq) await poll(next, my, !unread);
      } catch (e) {
        if (my !== seq) return;
        showError(errorText(e));
        $<HTMLButtonElement>('gap-submit').disabled = false;
        $('gap-progress-box').hidden = true;
      }
    }, unread ? 0 : POLL_MS);
    return;
  }
  $<HTMLButtonElement>('gap-submit').disabled = false;
  if (j.status === 'done') {
    try {
      const fc = await gapGeojson(j.id);
      if (my !== seq) return;
      uncoveredCount = host.showLayer(fc);
      fitToUncovered(fc);
    } catch (e) {
      if (my !== seq) return;
      showError(errorText(e));
    }
    renderResult(true);
    host.announce(t('gap.done'));
  } else if (j.status === 'failed') {
    showError(t('gap.failed', { detail: j.error ?? '' }));
  } else if (j.status === 'cancelled') {
    host.announce(t('gap.cancelled'));
    showError(t('gap.cancelled'));
  }
}

async function cancel(): Promise<void> {
  if (!job) return;
  const id = job.id;
  try {
    await gapCancel(id);
  } catch (e) {
    // 409: it had already ended; the next poll shows how.
    if (!(e instanceof ApiError && e.problem.status === 409)) showError(errorText(e));
  }
}

function totalsText(r: any, minutes: number): string {
  const key = String(r.target?.key ?? '');
  const who = lang() === 'ja' ? peopleLabel(String(r.target?.label ?? figureLabel(key))) : figureLabel(key);
  const unit = unitOf(key);
  const tt = r.totals ?? {};
  if (r.analysis === 'site') {
    return t('gap.totals_site', {
      who,
      target: num(tt.target),
      unit,
      min: minutes,
      before: num(tt.covered_before),
      after: num(tt.covered_after),
      added: num(tt.newly_covered),
      left: num(tt.uncovered_after),
    });
  }
  const share = tt.target > 0 ? tt.uncovered / tt.target : 0;
  return t('gap.totals_coverage', { who, target: num(tt.target), unit, uncovered: num(tt.uncovered), share: pct(share), min: minutes });
}

function renderResult(focus: boolean): void {
  const el = $('gap-result');
  if (!el || !job?.result) return;
  const r = job.result;
  const minutes = Number(r.threshold?.value ?? job.request?.max_walk_min ?? form.minutes);
  const site = r.analysis === 'site';
  const straight = r.network === 'straight_line';
  const unit = unitOf(String(r.target?.key ?? ''));
  const rows = [...(r.areas ?? [])].sort(
    (a: any, b: any) => (b.uncovered ?? 0) - (a.uncovered ?? 0) || String(a.name).localeCompare(String(b.name), 'ja'),
  );
  const head = site
    ? [t('gap.col_name'), t('gap.col_target', { unit }), t('gap.col_uncovered_after'), t('gap.col_newly')]
    : [t('gap.col_name'), t('gap.col_target', { unit }), t('gap.col_uncovered'), t('gap.col_nearest'), t('gap.col_place')];
  const body = rows
    .map((a: any) => {
      const cells = site
        ? [num(a.target), num(a.uncovered), num(a.newly_covered ?? 0)]
        : [
            num(a.target),
            num(a.uncovered),
            typeof a.nearest_m === 'number' ? `${num(a.nearest_m)} m` : t('gap.nearest_none'),
            a.has_place ? t('gap.place_yes', { n: a.places_inside ?? 1 }) : t('gap.place_no'),
          ];
      return `<tr data-id="${esc(a.id)}"><th scope="row">${esc(a.name)}</th>${cells.map((c) => `<td class="val">${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  const notCounted = Object.entries(r.not_counted ?? {})
    .map(([k, n]) => `${has(`gap.not_counted.${k}`) ? t(`gap.not_counted.${k}`) : k} ${n}`)
    .join('、');
  const chosen: any[] = site ? r.chosen ?? [] : [];
  const notes = [r.method_note, straight ? t('gap.straight_note') : '', r.note ?? '', notCounted ? t('gap.not_counted', { what: notCounted }) : '']
    .filter(Boolean)
    .map((n) => `<p class="hint">${esc(n)}</p>`)
    .join('');
  el.innerHTML = `
    <h3 id="gap-result-title" tabindex="-1">${esc(t(site ? 'gap.result_site' : 'gap.result_coverage'))}</h3>
    ${r.municipality ? `<p id="gap-town-note">${esc(t('gap.result_town', { name: r.municipality.name ?? r.municipality.lg_code }))}</p>` : ''}
    <p id="gap-totals" class="gap-totals">${esc(totalsText(r, minutes))}</p>
    <p id="gap-network">${esc(t(straight ? 'gap.network_straight' : 'gap.network_walking', { m: num(r.threshold?.metres ?? 0) }))}</p>
    ${
      site
        ? `<p id="gap-solver">${esc(t(r.optimal ? 'gap.solver_optimal' : 'gap.solver_heuristic', { solver: solverLabel(r.solver) }))}</p>
      <h4>${esc(t('gap.chosen'))}</h4>
      <ol id="gap-chosen">${chosen.map((c) => chosenItem(c)).join('')}</ol>`
        : ''
    }
    ${notes}
    <p id="gap-layer-note" class="hint">${esc(
      uncoveredCount === null ? '' : t('gap.layer_note', { n: uncoveredCount }),
    )}</p>
    <p><a id="gap-csv" class="button-link" href="/api/gap/jobs/${encodeURIComponent(job.id)}?format=csv" download>${esc(t('gap.csv'))}</a></p>
    <h4 id="gap-areas-title">${esc(t('gap.areas_title'))}</h4>
    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="gap-areas-title"><table id="gap-areas" class="rank-table" aria-labelledby="gap-areas-title">
      <thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
      <tbody>${body}</tbody>
    </table></div>`;
  el.hidden = false;
  drawMarkers(chosen);
  document.body.dataset.gapDone = job.id;
  if (focus) $('gap-result-title').focus();
}

function drawMarkers(chosen: any[]): void {
  for (const m of markers) m.remove();
  markers = [];
  const map = host.map();
  for (const c of chosen) {
    if (typeof c.lon !== 'number' || typeof c.lat !== 'number') continue;
    const el = document.createElement('div');
    el.className = 'gap-marker';
    el.dataset.id = String(c.id);
    el.innerHTML = `<span class="pin" aria-hidden="true">★</span><span class="label">${esc(c.name)}</span>`;
    const m = new maplibregl.Marker({ element: el, anchor: 'left' }).setLngLat([c.lon, c.lat]).addTo(map);
    // The names are in the panel's list too; the marker is a picture of it, not a control.
    m.getElement().removeAttribute('tabindex');
    m.getElement().setAttribute('role', 'img');
    m.getElement().setAttribute('aria-label', t('gap.marker_label', { name: c.name }));
    markers.push(m);
  }
}

/** Binds the panel drawn by gapHtml; shows the last answer again (after a relabel). */
export function bindGap(h: GapHost): void {
  host = h;
  $('gap-analysis').addEventListener('change', () => {
    form.analysis = $<HTMLSelectElement>('gap-analysis').value as 'coverage' | 'site';
    $('gap-site-fields').hidden = form.analysis !== 'site';
  });
  $('gap-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  $('gap-cancel').addEventListener('click', () => void cancel());
  if (job) {
    if (job.status === 'queued' || job.status === 'running') {
      stopPolling();
      void poll(job, seq);
    } else if (job.status === 'done') renderResult(false);
  }
}

/** Leaving the page: no more polling, nothing of the answer left on the map. */
export function closeGap(): void {
  stopPolling();
  clearGapMap();
  job = null;
  uncoveredCount = null;
  delete document.body.dataset.gapJob;
  delete document.body.dataset.gapDone;
  delete document.body.dataset.gapStatus;
}
