// tsunagi's map page: filters → the same query for the list (/api/resources) and the tiles
// (/tiles/resources.json), state in the URL, detail, sign-in and editing, print.
import './style.css';
import * as api from './api';
import type { Feature } from './api';
import { ACTIVITIES, DAYS, KINDS, TARGETS, TIMES, kindStyle, loadCodes, type Meta, type Municipality } from './codes';
import { lang, setLang, t, translateStatic } from './i18n';
import { MapView, type BasemapConfig } from './mapview';
import { loadLocalBasemap, type LocalBasemap } from './basemap';
import { filterParams, parseState, toSearch, type State } from './state';
import { openEditor, type EditorHost } from './editor';
import { openPrintDialog, printSheet } from './print';
import { printPlanner } from './planner_print';
import { problemText, showProblem } from './problems';
import { paintSwatches } from './csp';
import type { MatchHost } from './match';
import type { PlannerHost } from './planner';
import type { CasesHost } from './cases';
import type { FreshnessHost } from './freshness';
import { Router, mayOpen, type PageRow } from './router';

interface AppConfig {
  basemap: BasemapConfig | null;
  stale_after_days: number;
  list_limit: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

// Parsed again once the code lists have come (a time of day in the URL needs them).
let state: State = parseState(window.location.search);
let config: AppConfig = { basemap: null, stale_after_days: 365, list_limit: 50 };
/** The server's own offline basemap (/api/meta), when it has one. */
let localBasemap: LocalBasemap | null = null;
/** The town of a one-town map (?municipality=), from /api/meta; null for every town. */
let town: Municipality | null = null;
let mapView: MapView;
let user: api.Me | null = null;
let listed: Feature[] = [];
let picking: null | ((p: [number, number]) => void) = null;
let listSeq = 0;

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function announce(text: string): void {
  $('status').textContent = text;
}

function syncUrl(): void {
  if (mapView) {
    state.center = mapView.center();
    state.zoom = mapView.map.getZoom();
  }
  // The hash is the page (#/match); the matching form itself is never put in the URL.
  history.replaceState(null, '', `${window.location.pathname}${toSearch(state)}${window.location.hash}`);
  const full = new URL(window.location.href);
  full.searchParams.delete('embed');
  ($('open-full') as HTMLAnchorElement).href = full.toString();
}

// ---- filters ----

function fillSelect(id: string, anyKey: string, values: string[], prefix: string, chosen: string) {
  const sel = $<HTMLSelectElement>(id);
  sel.innerHTML = '';
  sel.append(new Option(t(anyKey), ''));
  for (const v of values) sel.append(new Option(t(`${prefix}.${v}`), v, false, v === chosen));
  sel.value = chosen;
}

function renderFilters(): void {
  fillSelect('f-kind', 'filters.kind_all', KINDS.map((k) => k.id), 'kind', state.kind[0] ?? '');
  fillSelect('f-activity', 'filters.activity_all', ACTIVITIES, 'activity', state.activity);
  fillSelect('f-target', 'filters.target_all', TARGETS, 'target', state.target);
  fillSelect('f-day', 'filters.day_any', DAYS, 'day', state.day);
  const time = $<HTMLSelectElement>('f-time');
  time.innerHTML = '';
  time.append(new Option(t('filters.time_any'), ''));
  for (const k of Object.keys(TIMES)) time.append(new Option(t(`filters.time_${k}`), k));
  time.value = state.time;
  $<HTMLInputElement>('f-barrier-free').checked = state.barrier_free;
  $<HTMLInputElement>('f-vacancy').checked = state.has_vacancy;
  $<HTMLInputElement>('f-q').value = state.q;
}

function readFilters(): void {
  const kind = $<HTMLSelectElement>('f-kind').value;
  state.kind = kind ? [kind] : [];
  state.activity = $<HTMLSelectElement>('f-activity').value;
  state.target = $<HTMLSelectElement>('f-target').value;
  state.day = $<HTMLSelectElement>('f-day').value;
  state.time = $<HTMLSelectElement>('f-time').value;
  state.barrier_free = $<HTMLInputElement>('f-barrier-free').checked;
  state.has_vacancy = $<HTMLInputElement>('f-vacancy').checked;
  state.q = $<HTMLInputElement>('f-q').value.trim();
}

function filtersChanged(): void {
  readFilters();
  mapView.setFilters(filterParams(state).toString());
  syncUrl();
  void refreshList();
}

// ---- list ----

function distanceText(m: number | undefined): string {
  if (m === undefined || m === null) return '';
  return m < 1000 ? t('distance.m', { n: Math.round(m) }) : t('distance.km', { n: (m / 1000).toFixed(1) });
}

/** Walking minutes from a straight-line distance: ×1.3 for the streets, 80 m a minute (the
 *  matching page's estimate when it has no walking network; said so under the list). */
function walkMinutes(m: number): number {
  return Math.max(1, Math.round((m * 1.3) / 80));
}

export function scheduleText(p: Record<string, any>): string[] {
  return (p.schedules ?? []).map((s: any) => String(s.text ?? '')).filter(Boolean);
}

/** Loads the list (or, with `more`, its next page) for the current filters and origin. */
async function refreshList(more = false): Promise<void> {
  const seq = more ? listSeq : ++listSeq;
  const params = filterParams(state);
  // Numbers follow a stable order — by name (the server's sort=name) or the distance from a chosen point,
  // both in the URL — so that "No. 7" is the same place for everyone who opens the same link,
  // whatever part of the map each one looks at.
  if (state.pt) params.set('near', `${state.pt[0].toFixed(6)},${state.pt[1].toFixed(6)}`);
  else params.set('sort', 'name');
  params.set('limit', String(config.list_limit));
  if (more) params.set('offset', String(listed.length));
  $('sorted').textContent = t(state.pt ? 'list.sorted_point' : 'list.sorted_stable');
  let fc: api.FeatureCollection;
  try {
    fc = await api.listResources(params);
  } catch (e) {
    if (seq === listSeq) $('count').textContent = t('list.error', { detail: problemText(e) });
    return;
  }
  if (seq !== listSeq) return; // a newer request is on its way
  const first = more ? listed.length : 0;
  listed = more ? [...listed, ...fc.features] : fc.features;
  const list = $('list');
  // Rebuilding the list must not lose the keyboard user's place.
  const focusedId = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('#list li')?.dataset.id;
  if (!more) list.innerHTML = '';
  $('count').textContent =
    fc.numberMatched > listed.length
      ? t('list.count_more', { n: fc.numberMatched, shown: listed.length })
      : t('list.count', { n: fc.numberMatched });
  $('list-more').hidden = fc.numberMatched <= listed.length;
  if (!listed.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('list.empty');
    list.append(li);
  }
  fc.features.forEach((f, j) => {
    const i = first + j;
    const p = f.properties;
    const k = kindStyle(p.kind);
    const li = document.createElement('li');
    li.dataset.id = f.id;
    li.innerHTML = `<button type="button" class="item" aria-describedby="item-${i}-meta">
      <span class="num" aria-hidden="true">${i + 1}</span>
      <span class="sym" data-swatch="${k.color}" aria-hidden="true">${escapeHtml(k.symbol)}</span>
      <span class="body"><span class="name">${escapeHtml(p.name)}</span>
      <span class="meta" id="item-${i}-meta">${escapeHtml(t(`kind.${p.kind}`))}${
        p.distance_m !== undefined
          ? ` · ${escapeHtml(distanceText(p.distance_m))} · ${escapeHtml(t('list.walk_about', { n: walkMinutes(p.distance_m) }))}`
          : ''
      }${scheduleText(p)[0] ? ` · ${escapeHtml(scheduleText(p)[0])}` : ''}</span></span></button>`;
    paintSwatches(li);
    li.querySelector('button')!.addEventListener('click', () => void openDetail(f.id));
    list.append(li);
  });
  if (focusedId) {
    const again = list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(focusedId)}"] button`);
    (again ?? $('list-heading')).focus();
  } else if (more && fc.features.length) {
    list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(fc.features[0].id)}"] button`)?.focus();
  }
  mapView.setNumbered(
    listed.map((f, i) => ({ n: i + 1, id: f.id, coordinates: f.geometry.coordinates })),
  );
  document.body.dataset.listReady = `${seq}.${listed.length}`;
}

// ---- detail ----

/** "2026年10月" (the month a listing was last confirmed; its day is not news to a reader). */
function verifiedMonth(iso: string | null | undefined): string | null {
  const m = /^(\d{4})-(\d{2})/.exec(iso ?? '');
  if (!m) return null;
  return t('detail.verified_month', { year: m[1], month: Number(m[2]) });
}

function daysSince(iso: string): number | null {
  const d = Date.parse(iso);
  if (Number.isNaN(d)) return null;
  return Math.floor((Date.now() - d) / 86400000);
}

function feeText(p: Record<string, any>): string {
  const fees: any[] = p.fees ?? [];
  const parts = fees.map((f) => {
    if (f.amount_yen === 0) return t('detail.fee_free');
    const per = f.per ? t(`detail.fee_per.${f.per}`) : '';
    const amount = t('detail.fee_yen', { n: Number(f.amount_yen).toLocaleString('ja-JP') });
    return [per && per !== `detail.fee_per.${f.per}` ? `${per} ` : '', amount, f.note ? `（${f.note}）` : '']
      .join('');
  });
  if (p.fee_note) parts.push(p.fee_note);
  return parts.length ? parts.join('、') : t('detail.fee_unknown');
}

let sourceCache: api.Source[] | null = null;
// GET /api/fields per role: the fields the detail view shows from the server's field table.
const fieldCache = new Map<string, Promise<api.FieldInfo[]>>();
function pageFields(): Promise<api.FieldInfo[]> {
  const role = user?.role ?? 'public';
  if (!fieldCache.has(role)) fieldCache.set(role, api.fields().catch(() => []));
  return fieldCache.get(role)!;
}

async function openDetail(id: string, focus = true): Promise<void> {
  let feature: Feature;
  try {
    feature = (await api.getResource(id)).feature;
  } catch (e) {
    announce(problemText(e));
    return;
  }
  state.sel = id;
  syncUrl();
  const p = feature.properties;
  const k = kindStyle(p.kind);
  const days = p.verified_at ? daysSince(p.verified_at) : null;
  // The server flags a listing older than its unconfirmed_after_days ("unconfirmed"); the page's
  // own stale_after_days still applies.
  const stale = p.unconfirmed === true || days === null || days > config.stale_after_days;
  const bf = p.barrier_free ?? {};
  const bfItems = ['step_free', 'elevator', 'accessible_toilet', 'parking_accessible', 'hearing_support']
    .filter((key) => bf[key] === true)
    .map((key) => t(`detail.bf.${key}`));
  const contact: string[] = [];
  if (p.phone) contact.push(`${t('detail.phone')}：<a href="tel:${escapeHtml(p.phone)}">${escapeHtml(p.phone)}</a>`);
  if (p.fax) contact.push(`${t('detail.fax')}：${escapeHtml(p.fax)}`);
  if (p.email) contact.push(`${t('detail.email')}：<a href="mailto:${escapeHtml(p.email)}">${escapeHtml(p.email)}</a>`);
  if (p.url) contact.push(`${t('detail.url')}：<a href="${escapeHtml(p.url)}" rel="noopener">${escapeHtml(p.url)}</a>`);
  if (!sourceCache) sourceCache = await api.sources().catch(() => []);
  const src = sourceCache.find((s) => s.id !== undefined && s.id === p.source_id);
  const sched = scheduleText(p);
  // Fields the table puts on the pages (アクセス…): label and value, when it has one.
  const tableRows = (await pageFields())
    .filter((f) => f.on_pages && f.plain && api.fieldText(f, p[f.key]) !== '')
    .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd data-field="${escapeHtml(f.key)}">${escapeHtml(api.fieldText(f, p[f.key]))}</dd>`)
    .join('');
  const targets = (p.targets ?? []).map((x: string) => t(`target.${x}`));
  const activities = (p.activities ?? []).map((x: string) => t(`activity.${x}`));
  const vacancy =
    p.vacancy !== null && p.vacancy !== undefined
      ? `${t('detail.vacancy_n', { n: p.vacancy })}${p.capacity ? `（${t('detail.capacity', { n: p.capacity })}）` : ''}`
      : '';
  const detail = $('detail');
  detail.innerHTML = `
    <div class="detail-head">
      <span class="sym" data-swatch="${k.color}" aria-hidden="true">${escapeHtml(k.symbol)}</span>
      <div><h2 id="detail-name">${escapeHtml(p.name)}</h2>
      <p class="kind">${escapeHtml(t(`kind.${p.kind}`))}${p.status && p.status !== 'active' ? ` · ${escapeHtml(t(`status.${p.status}`))}` : ''}${
        p.publish && p.publish !== 'public' ? ` · ${escapeHtml(t(`publish.${p.publish}`))}` : ''
      }</p></div>
      <button type="button" class="close" id="detail-close">${escapeHtml(t('detail.close'))}</button>
    </div>
    <dl>
      <dt>${t('detail.schedule')}</dt>
      <dd class="schedule">${sched.length ? sched.map((s) => `<div>${escapeHtml(s)}</div>`).join('') : escapeHtml(t('detail.schedule_none'))}</dd>
      <dt>${t('detail.fee')}</dt><dd class="fee">${escapeHtml(feeText(p))}</dd>
      ${targets.length ? `<dt>${t('detail.target')}</dt><dd>${escapeHtml(targets.join('・'))}${p.age_min != null || p.age_max != null ? `（${p.age_min ?? ''}〜${p.age_max ?? ''}歳）` : ''}</dd>` : ''}
      ${activities.length ? `<dt>${t('detail.activity')}</dt><dd>${escapeHtml(activities.join('・'))}</dd>` : ''}
      <dt>${t('detail.place')}</dt><dd>${escapeHtml([p.address, p.building].filter(Boolean).join(' '))}</dd>
      <dt>${t('detail.accessibility')}</dt><dd>${escapeHtml(bfItems.length ? bfItems.join('・') : t('detail.bf.none'))}</dd>
      ${vacancy ? `<dt>${t('detail.vacancy')}</dt><dd>${escapeHtml(vacancy)}</dd>` : ''}
      <dt>${t('detail.contact')}</dt><dd class="contact">${contact.length ? contact.join('<br>') : escapeHtml(t('detail.contact_none'))}</dd>
      ${p.operator_name ? `<dt>${t('detail.operator')}</dt><dd>${escapeHtml(p.operator_name)}</dd>` : ''}
      ${p.description ? `<dt>${t('detail.description')}</dt><dd>${escapeHtml(p.description)}</dd>` : ''}
      ${tableRows}
      <dt>${t('detail.verified')}</dt>
      <dd class="verified">${escapeHtml(verifiedMonth(p.verified_at) ?? t('detail.verified_unknown'))}${
        stale
          ? ` <strong class="stale" title="${escapeHtml(t('detail.stale_note', { days: config.stale_after_days }))}">${escapeHtml(t('detail.stale'))}</strong>
             <span class="stale-note">${escapeHtml(t('detail.stale_note', { days: config.stale_after_days }))}</span>`
          : ''
      }</dd>
      <dt>${t('detail.source')}</dt>
      <dd class="source">${
        src
          ? `${escapeHtml(src.title)}${src.attribution ? `<br><small>${escapeHtml(src.attribution)}</small>` : ''}`
          : escapeHtml(t('detail.source_public'))
      }</dd>
    </dl>
    ${user ? `<button type="button" id="detail-edit">${escapeHtml(t('detail.edit'))}</button>` : ''}
    <details class="report">
      <summary>${escapeHtml(t('report.open'))}</summary>
      <form id="report-form" novalidate>
        <label for="report-text">${escapeHtml(t('report.label'))}</label>
        <textarea id="report-text" name="text" rows="3" maxlength="500" aria-describedby="report-help"></textarea>
        <p id="report-help" class="hint">${escapeHtml(t('report.help'))}</p>
        <button type="submit">${escapeHtml(t('report.send'))}</button>
      </form>
    </details>`;
  paintSwatches(detail);
  detail.hidden = false;
  document.body.classList.add('has-detail');
  $('detail-close').addEventListener('click', closeDetail);
  $('detail-edit')?.addEventListener('click', () => void startEdit(id));
  $('report-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ($('report-text') as HTMLTextAreaElement).value.trim();
    if (!text) {
      announce(t('report.empty'));
      return;
    }
    api
      .reportMistake(id, text)
      .then(() => {
        ($('report-text') as HTMLTextAreaElement).value = '';
        announce(t('report.thanks'));
      })
      .catch((err: Error) => announce(t('report.refused', { detail: err.message })));
  });
  mapView.map.easeTo({ center: feature.geometry.coordinates, zoom: Math.max(mapView.map.getZoom(), 14) });
  $('detail-name').setAttribute('tabindex', '-1');
  if (focus) $('detail-name').focus();
  detail.scrollIntoView({ block: 'start' });
}

function closeDetail(): void {
  $('detail').hidden = true;
  document.body.classList.remove('has-detail');
  const id = state.sel;
  state.sel = undefined;
  syncUrl();
  const back = id ? document.querySelector<HTMLButtonElement>(`#list li[data-id="${CSS.escape(id)}"] button`) : null;
  (back ?? $('list-heading')).focus();
}

// ---- sign-in and editing ----

function renderUser(): void {
  $('who').textContent = user ? t('auth.as', { name: user.name, role: t(`role.${user.role}`) }) : '';
  $('login-open').hidden = !!user;
  $('logout').hidden = !user;
  $('new-resource').hidden = !user || user.role === 'planner';
  // A page's link only for the roles its row lets in.
  $('match-open').hidden = !canOpen('match');
  $('cases-open').hidden = !canOpen('cases');
  $('freshness-open').hidden = !canOpen('freshness');
}

// ---- the matching page (#/match) ----

/** Whether the signed-in role may open a page of the table (matching works with a person's
 *  circumstances: 参加支援 matchers only). */
function canOpen(id: string): boolean {
  return mayOpen(PAGES.find((p) => p.id === id)!, user?.role ?? 'public');
}

// The page's code is loaded for matchers only, when they open it: the public map loads none of it.
let matchPage: typeof import('./match') | null = null;

const matchHost: MatchHost = {
  mapView: () => mapView,
  pickPoint: (cb) => editorHost.pickPoint(cb),
  stopPicking: () => editorHost.stopPicking(),
  announce,
  basemap: () => config.basemap,
  localBasemap: () => localBasemap,
  credits: () => $('credits-list').innerHTML,
  signedOut: () => {
    user = null;
    renderUser();
  },
};

// ---- 紹介の記録 (#/cases): the matcher's referrals, loaded like the matching page ----

let casesPage: typeof import('./cases') | null = null;

const casesHost: CasesHost = {
  announce,
  signedOut: () => matchHost.signedOut(),
};

// ---- 確認が必要な掲載 (#/freshness): overdue listings and open requests, for coordinators ----

let freshnessPage: typeof import('./freshness') | null = null;

const freshnessHost: FreshnessHost = {
  announce,
  signedOut: () => matchHost.signedOut(),
};

// ---- the planner page (#/planner): area indicators as a choropleth ----

// Open to everyone: the server gives each role only the figures it may see. Its code is loaded
// when the page is opened.
let plannerPage: typeof import('./planner') | null = null;

const plannerHost: PlannerHost = {
  mapView: () => mapView,
  announce,
  role: () => user?.role ?? 'public',
  userTowns: () => (user && user.all_municipalities === false ? (user.municipalities ?? []).map((m) => m.lg_code) : null),
  town: () => state.municipality,
};

// ---- the pages of the address: one row each, one router (router.ts) ----

const PAGES: PageRow[] = [
  {
    id: 'planner',
    hash: '#/planner',
    roles: 'everyone',
    bodyClass: 'planning',
    reopenForRole: true,
    async init() {
      plannerPage = await import('./planner');
      plannerPage.initPlanner($('planner'), plannerHost);
      // The page (and its gap layer hook, showGapLayer) reachable for the browser test.
      (window as any).tsunagi.planner = plannerPage;
    },
    async open() {
      if (picking) editorHost.stopPicking();
      $('detail').hidden = true;
      document.body.classList.remove('has-detail');
      await plannerPage!.openPlanner();
    },
    close: () => plannerPage?.closePlanner(),
    isOpen: () => !!plannerPage?.plannerOpen(),
    relabel: () => plannerPage?.relabel(),
  },
  {
    id: 'match',
    hash: '#/match',
    roles: ['matcher'], // as the server's kMatchers: it answers 401/403 to anyone else anyway
    bodyClass: 'matching',
    denied: (signedIn) => (signedIn ? 'match.denied_role' : 'match.denied_public'),
    async init() {
      matchPage = await import('./match');
      matchPage.initMatch($('match'), matchHost);
    },
    async open() {
      if (picking) editorHost.stopPicking();
      await matchPage!.openMatch();
    },
    close: () => matchPage?.closeMatch(),
    isOpen: () => !!matchPage?.matchOpen(),
    relabel: () => matchPage?.relabel(),
  },
  {
    id: 'cases',
    hash: '#/cases',
    roles: ['matcher'],
    bodyClass: 'matching',
    denied: () => 'cases.denied',
    async init() {
      casesPage = await import('./cases');
      casesPage.initCases($('cases'), casesHost);
    },
    async open() {
      if (picking) editorHost.stopPicking();
      await casesPage!.openCases();
    },
    close: () => casesPage?.closeCases(),
    isOpen: () => !!casesPage?.casesOpen(),
    relabel: () => casesPage?.relabel(),
  },
  {
    id: 'freshness',
    hash: '#/freshness',
    roles: ['coordinator', 'admin'], // as the server's kReviewers
    bodyClass: 'matching',
    denied: () => 'fresh.denied',
    async init() {
      freshnessPage = await import('./freshness');
      freshnessPage.initFreshness($('freshness'), freshnessHost);
    },
    async open() {
      if (picking) editorHost.stopPicking();
      await freshnessPage!.openFreshness();
    },
    close: () => freshnessPage?.closeFreshness(),
    isOpen: () => !!freshnessPage?.freshnessOpen(),
    relabel: () => freshnessPage?.relabel(),
  },
];

const router = new Router(PAGES, {
  role: () => user?.role ?? 'public',
  deny(text) {
    const denied = $('match-denied');
    denied.hidden = text === null;
    denied.textContent = text ?? '';
  },
  backToMap: () => $('list-heading').focus(),
  t: (key) => t(key),
});

function route(): Promise<void> {
  return router.route();
}

const editorHost: EditorHost = {
  mapView: () => mapView,
  pickPoint(cb) {
    picking = cb;
    document.body.classList.add('picking');
  },
  stopPicking() {
    picking = null;
    document.body.classList.remove('picking');
  },
  async saved(feature) {
    sourceCache = null;
    mapView.reloadResources(filterParams(state).toString());
    await refreshList();
    await openDetail(feature.id);
    announce(t('edit.saved'));
  },
  announce,
  closed(cancelledEdit) {
    $('editor').hidden = true;
    document.body.classList.remove('editing');
    // Cancelling an edit goes back to the place's detail (and the link says so again).
    if (cancelledEdit) void openDetail(cancelledEdit);
  },
};

async function startEdit(id?: string): Promise<void> {
  // The detail gives way to the form: the link no longer opens it (a cancelled edit brings it back).
  $('detail').hidden = true;
  document.body.classList.remove('has-detail');
  state.sel = undefined;
  syncUrl();
  document.body.classList.add('editing');
  await openEditor($('editor'), editorHost, id);
}

async function doLogin(ev: Event): Promise<void> {
  ev.preventDefault();
  const name = $<HTMLInputElement>('login-name').value;
  const password = $<HTMLInputElement>('login-password').value;
  try {
    user = await api.login(name, password);
    user = (await api.me()) ?? user; // with the towns the user works for
  } catch (e) {
    showProblem($('login-error'), e, (text) => t('auth.failed', { detail: text }));
    return;
  }
  $<HTMLInputElement>('login-password').value = '';
  $('login-error').textContent = '';
  $<HTMLDialogElement>('login-dialog').close();
  renderUser();
  mapView.reloadResources(filterParams(state).toString());
  sourceCache = null;
  await refreshList();
  if (state.sel && !$('detail').hidden) await openDetail(state.sel, false);
  $('new-resource').focus();
  await route();
}

// ---- credits, legend ----

async function renderCredits(): Promise<void> {
  const list = $('credits-list');
  list.innerHTML = '';
  const items: string[] = [];
  // Each credit once, grouped by publisher, with what it was used for.
  const credits = await api.credits().catch(() => [] as api.Credit[]);
  for (const c of credits) {
    const uses = c.uses.map((u) => t(`credits.use.${u}`)).join('・');
    items.push(`${escapeHtml(c.attribution)}${uses ? `<small>（${escapeHtml(uses)}）</small>` : ''}`);
  }
  if (config.basemap && localBasemap?.use !== 'primary') items.push(escapeHtml(t('credits.basemap')));
  if (localBasemap?.kind === 'network') {
    items.push(escapeHtml(t('credits.basemap_network', { source: localBasemap.attribution })));
  } else if (localBasemap) {
    items.push(escapeHtml(t('credits.basemap_local')));
  }
  items.push(escapeHtml(t('credits.map')));
  list.innerHTML = items.map((i) => `<li>${i}</li>`).join('');
}

function renderLegend(): void {
  const ul = $('legend-list');
  ul.innerHTML = KINDS.map(
    (k) =>
      `<li><span class="sym" data-swatch="${k.color}" aria-hidden="true">${escapeHtml(k.symbol)}</span>${escapeHtml(t(`kind.${k.id}`))}</li>`,
  ).join('');
  paintSwatches(ul);
  ul.insertAdjacentHTML(
    'beforeend',
    `<li><span class="sym cluster" aria-hidden="true">12</span>${escapeHtml(t('legend.cluster'))}</li>
     <li><span class="line" aria-hidden="true"></span>${escapeHtml(t('legend.boundary'))}</li>
     <li><span class="pt" aria-hidden="true"></span>${escapeHtml(t('legend.point'))}</li>`,
  );
}

function renderTexts(): void {
  setLang(state.lang);
  translateStatic();
  // One town's map (municipality=) has its own title: 「藤崎町 地域の社会資源マップ」.
  const title = town ? t('app.title_town', { town: town.short_name ?? town.name }) : t('app.title');
  document.title = title;
  $('app-title').textContent = title;
  const sw = $('lang-switch');
  sw.textContent = t('lang.switch');
  sw.setAttribute('lang', state.lang === 'ja' ? 'en' : 'ja');
  sw.setAttribute('aria-label', t('lang.switch_label'));
  renderFilters();
  renderLegend();
  renderUser();
}

// ---- start ----

async function loadConfig(): Promise<void> {
  try {
    config = { ...config, ...(await api.getJson<Partial<AppConfig>>('/config.json', { cache: 'no-cache' })) };
  } catch {
    /* the defaults */
  }
  const u = new URLSearchParams(window.location.search);
  if (u.get('basemap') === 'none') config.basemap = null;
}

/** The first view: the URL's, else the loaded municipalities (from /api/meta), else Japan. */
function initialView(meta: Meta | null): { center: [number, number]; zoom: number } {
  if (state.center && state.zoom !== undefined) return { center: state.center, zoom: state.zoom };
  const extent = town?.bbox ?? meta?.extent;
  if (extent) {
    const [w, s, e, n] = extent;
    const el = $('map');
    const span = Math.max(e - w, (n - s) * 1.25, 1e-4);
    const zoom = Math.log2((360 * Math.max(320, el.clientWidth)) / (256 * span)) - 0.3;
    return { center: [(w + e) / 2, (s + n) / 2], zoom: Math.min(15, Math.max(4, zoom)) };
  }
  return { center: [137, 36], zoom: 5 };
}

async function main(): Promise<void> {
  document.body.classList.toggle('embed', state.embed);
  // On a phone the legend starts folded, so that the list follows the map.
  if (window.matchMedia('(max-width: 48em)').matches) $<HTMLDetailsElement>('legend').open = false;
  $('open-full').hidden = !state.embed;
  // The three first requests at once; the map starts as soon as they are answered.
  const [, who, meta] = await Promise.all([
    loadConfig(),
    api.me().catch(() => null),
    loadCodes().catch(() => null),
  ]);
  if (new URLSearchParams(window.location.search).get('basemap') !== 'none') {
    localBasemap = await loadLocalBasemap(meta?.basemap);
  }
  state = parseState(window.location.search);
  town = state.municipality ? (meta?.municipalities.find((m) => m.code === state.municipality) ?? null) : null;
  api.setSourcesMunicipality(state.municipality);
  const view = initialView(meta);
  user = who;
  renderTexts();
  performance.mark('tsunagi:config');
  mapView = new MapView(
    $('map'),
    config.basemap,
    filterParams(state).toString(),
    view,
    {
      onResourceClick: (id) => void openDetail(id),
      onCandidateClick: (id) => matchPage?.candidateClicked(id),
      onMapClick: (p) => {
        if (!picking) return false;
        const cb = picking;
        cb(p);
        return true;
      },
      onMoveEnd: () => syncUrl(),
    },
    (replaced) =>
      announce(t(!replaced ? 'map.basemap_off' : localBasemap?.kind === 'network' ? 'map.basemap_network' : 'map.basemap_local')),
    localBasemap,
    state.municipality,
  );
  (window as any).tsunagi = { map: mapView.map, state };
  // The list loads while the map does; its numbers go on the map once the style is there.
  const firstList = refreshList();
  await mapView.whenLoaded();
  performance.mark('tsunagi:map-load');
  mapView.setPoint(state.pt);
  $('clear-point').hidden = !state.pt;
  await firstList;
  performance.mark('tsunagi:list');
  mapView.setNumbered(
    listed.map((f, i) => ({ n: i + 1, id: f.id, coordinates: f.geometry.coordinates })),
  );
  // For the benchmark (bench/frontend_bench.mjs): when the first view is fully drawn — every
  // tile loaded and the list's numbers on the map — in ms since navigation started.
  mapView.map.once('idle', () => (document.body.dataset.drawnAt = performance.now().toFixed(0)));
  syncUrl();
  if (state.sel) await openDetail(state.sel, false);
  void renderCredits();
  window.addEventListener('hashchange', () => void route());
  await route();
  document.body.dataset.ready = '1';

  // filters
  const form = $<HTMLFormElement>('filters');
  form.addEventListener('change', (e) => {
    if ((e.target as HTMLElement).id === 'f-place') return;
    filtersChanged();
  });
  let qTimer = 0;
  $('f-q').addEventListener('input', () => {
    window.clearTimeout(qTimer);
    qTimer = window.setTimeout(filtersChanged, 300);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    filtersChanged();
  });
  form.addEventListener('reset', () => window.setTimeout(filtersChanged, 0));
  $('f-place-go').addEventListener('click', async () => {
    const q = $<HTMLInputElement>('f-place').value.trim();
    if (!q) return;
    const m = await api.geocode(q).catch(() => []);
    const said = $('f-place-result');
    if (!m.length) {
      said.textContent = t('edit.geocode_none');
      said.scrollIntoView({ block: 'center' });
      return;
    }
    state.pt = [m[0].lon, m[0].lat];
    mapView.setPoint(state.pt);
    $('clear-point').hidden = false;
    mapView.map.easeTo({ center: state.pt, zoom: Math.max(mapView.map.getZoom(), 14) });
    // The answer beside the field that asked (the status line is off screen on a phone).
    said.textContent = t(m[0].approximate ? 'filters.place_approx' : 'filters.place_found', { label: m[0].label });
    syncUrl();
    await refreshList();
    said.scrollIntoView({ block: 'center' });
  });
  $('pick-point').addEventListener('click', () => {
    announce(t('filters.pick_point_active'));
    editorHost.pickPoint((p) => {
      editorHost.stopPicking();
      state.pt = p;
      mapView.setPoint(p);
      $('clear-point').hidden = false;
      syncUrl();
      void refreshList();
    });
  });
  $('clear-point').addEventListener('click', () => {
    state.pt = undefined;
    mapView.setPoint(undefined);
    $('clear-point').hidden = true;
    syncUrl();
    void refreshList();
    $('pick-point').focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && picking) editorHost.stopPicking();
  });

  // chrome: on a phone the tools are one menu, and the list may come first
  $('menu-toggle').addEventListener('click', () => {
    const open = !document.body.classList.contains('menu-open');
    document.body.classList.toggle('menu-open', open);
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  const setView = (list: boolean) => {
    document.body.classList.toggle('view-list', list);
    $('view-list').setAttribute('aria-pressed', String(list));
    $('view-map').setAttribute('aria-pressed', String(!list));
    if (!list) mapView.map.resize();
  };
  $('view-list').addEventListener('click', () => {
    setView(true);
    $('list-heading').focus();
  });
  $('view-map').addEventListener('click', () => setView(false));
  $('lang-switch').addEventListener('click', () => {
    state.lang = state.lang === 'ja' ? 'en' : 'ja';
    syncUrl();
    renderTexts();
    void refreshList();
    void renderCredits();
    if (state.sel) void openDetail(state.sel, false);
    void route(); // the notice, in the new language
    router.relabel();
  });
  $('share').addEventListener('click', async () => {
    syncUrl();
    try {
      await navigator.clipboard.writeText(window.location.href);
      announce(t('share.copied'));
    } catch {
      announce(window.location.href);
    }
  });
  for (const o of ['portrait', 'landscape'] as const) {
    $(`print-${o}`).addEventListener('click', () => {
      // On the planner page its own sheet (planner_print.ts); elsewhere the meeting's map sheet.
      if (document.body.dataset.route === 'planner') return void printPlanner(o, { mapView });
      openPrintDialog(o, (title) => void printSheet(o, { mapView, items: listed, state, local: localBasemap, title }));
    });
  }
  $('login-open').addEventListener('click', () => {
    $<HTMLDialogElement>('login-dialog').showModal();
    $('login-name').focus();
  });
  $('login-cancel').addEventListener('click', () => $<HTMLDialogElement>('login-dialog').close());
  $('login-form').addEventListener('submit', (e) => void doLogin(e));
  $('logout').addEventListener('click', async () => {
    await api.logout();
    user = null;
    renderUser();
    await route(); // leaves the matching page and forgets its form
    if (state.sel && !$('detail').hidden) await openDetail(state.sel, false);
    mapView.reloadResources(filterParams(state).toString());
    sourceCache = null;
    await refreshList();
    $('login-open').focus();
  });
  $('new-resource').addEventListener('click', () => void startEdit());
  $('list-more').addEventListener('click', () => void refreshList(true));
}

void main();

export { lang };
