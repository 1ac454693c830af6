// 紹介の記録 (#/cases, 参加支援 matchers only): the referrals recorded from the matching page,
// by status, each with the steps the server allows next as buttons (allowed_next), the decline
// reason, the follow-up date with an overdue badge (the server's overdue list), the placement's
// open slots and its figures (months with at least k answers only, as the server gives them),
// and a copy button for the case id. Nothing here is kept outside the page's memory.
import * as api from './api';
import type { PlacementStats, Referral } from './api';
import { t } from './i18n';
import { showProblem } from './problems';

export interface CasesHost {
  announce(text: string): void;
  signedOut(): void;
}

// The order of the steps (geo/referral.hpp ReferralStatus); the last three are final.
const STATUSES = ['proposed', 'consented', 'host_asked', 'visit', 'trial', 'started', 'settling', 'ended', 'declined_by_person', 'declined_by_host'];
const FINAL = new Set(['ended', 'declined_by_person', 'declined_by_host']);
const DECLINES = new Set(['declined_by_person', 'declined_by_host']);
const REASONS = ['full', 'not_eligible', 'out_of_area', 'mismatch', 'unreachable', 'other'];

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

let host: CasesHost;
let root: HTMLElement;
let open = false;
let seq = 0;
let areaNames: Map<string, string> | null = null;

interface Placement {
  name: string;
  slotsOpen: number | null;
  slotsTotal: number | null;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** "2026-12-03" → 「2026年12月3日」. */
export function jaDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? t('date.ymd', { y: m[1], m: Number(m[2]), d: Number(m[3]) }) : iso;
}

/** An ISO timestamp as its day in Japan. */
function jaDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('ja-JP', { dateStyle: 'long', timeZone: 'Asia/Tokyo' }).format(d);
}

function statusLabel(s: string): string {
  return t(`referral.status.${s}`);
}

function placementLine(p: Placement | undefined, stats: PlacementStats | undefined): string {
  const parts: string[] = [];
  if (p && p.slotsOpen !== null) {
    parts.push(
      p.slotsTotal !== null
        ? t('cases.slots_of', { open: p.slotsOpen, total: p.slotsTotal })
        : t('cases.slots', { open: p.slotsOpen }),
    );
  } else {
    parts.push(t('cases.slots_unknown'));
  }
  if (!stats || stats.suppressed || stats.answered === null) {
    parts.push(t('cases.stats_suppressed', { k: stats?.k_min ?? 5 }));
  } else {
    parts.push(
      t('cases.stats', {
        n: stats.answered,
        share: stats.share_accepted === null ? '—' : Math.round(stats.share_accepted * 100),
        through: stats.through,
      }),
    );
  }
  return parts.join(' · ');
}

function caseHtml(r: Referral, overdue: boolean, p: Placement | undefined, stats: PlacementStats | undefined): string {
  const id = esc(r.case_id);
  const area = areaNames?.get(r.home_area) ?? r.home_area;
  const needs = r.needs.map((n) => n.label).join('・') || t('match.ref_needs_none');
  const next = r.allowed_next.filter((s) => !DECLINES.has(s));
  const declines = r.allowed_next.filter((s) => DECLINES.has(s));
  const h = `c-${id}`;
  return `<li class="case${overdue ? ' overdue' : ''}" data-case="${id}" data-status="${esc(r.status)}" aria-labelledby="${h}-title">
    <div class="case-head">
      <h4 id="${h}-title" tabindex="-1"><span class="case-place">${esc(p?.name ?? r.resource_id)}</span>
        <span class="case-status">${esc(statusLabel(r.status))}</span>
        ${overdue ? `<strong class="badge overdue-badge">${esc(t('cases.overdue'))}</strong>` : ''}</h4>
      <p class="case-id-row"><span>${esc(t('cases.case_id'))}</span> <code class="case-id">${id}</code>
        <button type="button" class="copy" aria-label="${esc(t('cases.copy_label', { id: r.case_id }))}">${esc(t('cases.copy'))}</button></p>
    </div>
    <p class="case-placement">${esc(placementLine(p, stats))}</p>
    <p class="case-meta">${esc(t('cases.meta', { area, age: t('match.age', { n: r.age_band.slice(0, 2) }), needs, basis: r.legal_basis.label }))}</p>
    ${r.decline_reason ? `<p class="case-reason">${esc(t('cases.reason', { reason: t(`referral.reason.${r.decline_reason.code}`) }))}</p>` : ''}
    ${
      FINAL.has(r.status)
        ? r.closed_at
          ? `<p class="case-closed">${esc(t('cases.closed', { date: jaDay(r.closed_at) }))}</p>`
          : ''
        : `<div class="case-follow">
      <label for="${h}-due">${esc(t('cases.follow_up'))}</label>
      <span class="due${overdue ? ' late' : ''}">${esc(r.follow_up_due ? jaDate(r.follow_up_due) : t('cases.follow_up_none'))}</span>
      <input type="date" id="${h}-due" value="${esc(r.follow_up_due ?? '')}">
      <button type="button" class="due-save">${esc(t('cases.follow_up_save'))}</button>
    </div>`
    }
    ${
      r.allowed_next.length
        ? `<div class="case-next" role="group" aria-label="${esc(t('cases.next'))}">
      ${next.map((s) => `<button type="button" class="next" data-to="${s}">${esc(t('cases.to', { step: statusLabel(s) }))}</button>`).join('')}
      ${
        declines.length
          ? `<span class="declines"><label for="${h}-reason">${esc(t('cases.reason_pick'))}</label>
        <select id="${h}-reason" class="reason"><option value="">${esc(t('cases.reason_none'))}</option>${REASONS.map(
          (x) => `<option value="${x}">${esc(t(`referral.reason.${x}`))}</option>`,
        ).join('')}</select>
        ${declines.map((s) => `<button type="button" class="next decline" data-to="${s}">${esc(statusLabel(s))}</button>`).join('')}</span>`
          : ''
      }
    </div>`
        : ''
    }
    <details class="case-history"><summary>${esc(t('cases.history', { n: r.history.length }))}</summary>
      <ol>${r.history
        .map(
          (e) =>
            `<li>${esc(jaDay(e.at))} ${esc(statusLabel(e.status))}${e.reason ? `（${esc(t(`referral.reason.${e.reason.code}`))}）` : ''}</li>`,
        )
        .join('')}</ol></details>
    <p class="error case-error" role="alert"></p>
  </li>`;
}

async function placements(ids: string[]): Promise<Map<string, Placement>> {
  const out = new Map<string, Placement>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const p = (await api.getResource(id)).feature.properties;
        out.set(id, { name: p.name, slotsOpen: p.offer?.slots_open ?? null, slotsTotal: p.offer?.slots_total ?? null });
      } catch {
        /* a placement no longer visible: its id is shown */
      }
    }),
  );
  return out;
}

/** Reads the cases again and draws them; `focusCase` gets the focus afterwards. */
async function refresh(focusCase?: string): Promise<void> {
  const mine = ++seq;
  root.setAttribute('aria-busy', 'true');
  let list: Referral[];
  let overdue: { as_of: string; referrals: Referral[] };
  let stats: PlacementStats[];
  try {
    [list, overdue, stats] = await Promise.all([api.listReferrals(), api.overdueReferrals(), api.referralStats()]);
    if (areaNames === null) {
      areaNames = new Map((await api.smallAreas().catch(() => [])).map((a) => [a.id, a.name]));
    }
  } catch (e) {
    if (mine !== seq) return;
    root.removeAttribute('aria-busy');
    showProblem($('cases-error'), e);
    if (e instanceof api.ApiError && e.problem.status === 401) host.signedOut();
    return;
  }
  const places = await placements([...new Set(list.map((r) => r.resource_id))]);
  if (mine !== seq || !open) return;
  const late = new Set(overdue.referrals.map((r) => r.case_id));
  const statsBy = new Map(stats.map((s) => [s.resource_id, s]));
  $('cases-error').textContent = '';
  $('cases-count').textContent = t('cases.count', { n: list.length });
  const od = $('cases-overdue');
  od.hidden = !late.size;
  od.innerHTML = late.size
    ? `<strong class="badge overdue-badge">${esc(t('cases.overdue'))}</strong> ${esc(
        t('cases.overdue_count', { n: late.size, date: jaDate(overdue.as_of) }),
      )}<ul>${overdue.referrals
        .map(
          (r) =>
            `<li><a href="#c-${esc(r.case_id)}-title" data-case="${esc(r.case_id)}">${esc(places.get(r.resource_id)?.name ?? r.resource_id)}（${esc(
              r.follow_up_due ? jaDate(r.follow_up_due) : '',
            )}）</a></li>`,
        )
        .join('')}</ul>`
    : '';
  const groups = STATUSES.map((s) => ({ s, items: list.filter((r) => r.status === s) })).filter((g) => g.items.length);
  $('cases-list').innerHTML = groups.length
    ? groups
        .map(
          (g) => `<section class="case-group" data-status="${g.s}" aria-labelledby="cg-${g.s}">
        <h3 id="cg-${g.s}">${esc(statusLabel(g.s))} <span class="count">${esc(t('list.count', { n: g.items.length }))}</span></h3>
        <ul class="cases">${g.items
          .map((r) => caseHtml(r, late.has(r.case_id), places.get(r.resource_id), statsBy.get(r.resource_id)))
          .join('')}</ul></section>`,
        )
        .join('')
    : `<p class="empty">${esc(t('cases.empty'))}</p>`;
  root.removeAttribute('aria-busy');
  document.body.dataset.casesReady = String(Number(document.body.dataset.casesReady ?? 0) + 1);
  if (focusCase) document.getElementById(`c-${focusCase}-title`)?.focus();
}

async function act(li: HTMLElement, button: HTMLButtonElement): Promise<void> {
  const id = li.dataset.case!;
  const err = li.querySelector<HTMLElement>('.case-error')!;
  err.textContent = '';
  const from = li.dataset.status!;
  try {
    if (button.classList.contains('next')) {
      const to = button.dataset.to!;
      let reason: string | undefined;
      if (DECLINES.has(to)) {
        reason = li.querySelector<HTMLSelectElement>('select.reason')!.value;
        if (!reason) {
          err.textContent = t('problem.detail.reason_needed');
          li.querySelector<HTMLSelectElement>('select.reason')!.focus();
          return;
        }
      }
      button.disabled = true;
      await api.transitionReferral(id, to, reason);
      host.announce(t('cases.moved', { id, from: statusLabel(from), to: statusLabel(to) }));
    } else if (button.classList.contains('due-save')) {
      const due = li.querySelector<HTMLInputElement>('input[type="date"]')!.value;
      button.disabled = true;
      await api.setFollowUp(id, due || null);
      host.announce(due ? t('cases.follow_up_set', { id, date: jaDate(due) }) : t('cases.follow_up_cleared', { id }));
    } else {
      return;
    }
  } catch (e) {
    button.disabled = false;
    showProblem(err, e);
    if (e instanceof api.ApiError && e.problem.status === 401) host.signedOut();
    return;
  }
  await refresh(id);
}

async function copy(id: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(id);
    host.announce(t('cases.copied', { id }));
  } catch {
    // No clipboard (an insecure origin, a refused permission): the id selected, to copy by hand.
    const code = root.querySelector<HTMLElement>(`li[data-case="${CSS.escape(id)}"] .case-id`);
    if (code) window.getSelection()?.selectAllChildren(code);
    host.announce(t('cases.copy_failed', { id }));
  }
}

export function initCases(el: HTMLElement, h: CasesHost): void {
  root = el;
  host = h;
}

export async function openCases(): Promise<void> {
  open = true;
  root.innerHTML = `
    <div class="match-head">
      <h2 id="cases-title" tabindex="-1">${esc(t('cases.title'))} <span id="cases-count" class="count"></span></h2>
      <span class="links"><a href="#/match" class="button-link" id="cases-match">${esc(t('match.open'))}</a>
      <a href="#/" class="button-link" id="cases-close">${esc(t('match.back'))}</a></span>
    </div>
    <p class="hint">${esc(t('cases.privacy'))}</p>
    <p id="cases-error" class="error" role="alert"></p>
    <div id="cases-overdue" class="cases-overdue" hidden></div>
    <div id="cases-list"></div>`;
  root.hidden = false;
  root.addEventListener('click', onClick);
  $('cases-title').focus();
  await refresh();
}

function onClick(e: Event): void {
  const target = e.target as HTMLElement;
  const link = target.closest<HTMLAnchorElement>('#cases-overdue a[data-case]');
  if (link) {
    e.preventDefault(); // the page's route is the hash: go to the case without changing it
    document.getElementById(`c-${link.dataset.case}-title`)?.focus();
    return;
  }
  const button = target.closest<HTMLButtonElement>('button');
  const li = button?.closest<HTMLElement>('li.case');
  if (!button || !li) return;
  if (button.classList.contains('copy')) void copy(li.dataset.case!);
  else void act(li, button);
}

export function closeCases(): void {
  if (!root) return;
  open = false;
  seq++;
  root.removeEventListener('click', onClick);
  root.hidden = true;
  root.innerHTML = '';
}

export function casesOpen(): boolean {
  return open;
}

/** The language changed: draw again. */
export function relabel(): void {
  if (open) void openCases();
}

