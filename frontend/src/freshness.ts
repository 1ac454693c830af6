// 確認が必要な掲載 (#/freshness, coordinators and admins): the listings last confirmed longer ago
// than the chosen age (the server's unconfirmed_after_days by default), oldest first, a page at a
// time (GET /api/confirmation/overdue); the open confirmation requests; how many proposals wait in
// the review queue. A button asks the host of one listing, or of every listing shown, to confirm
// it (POST /api/resources/{id}/confirmation-requests): the link and code appear once, here.
import * as api from './api';
import { KINDS } from './codes';
import { t } from './i18n';
import { showProblem } from './problems';

export interface FreshnessHost {
  announce(text: string): void;
  signedOut(): void;
}

interface OpenRequest {
  id: number;
  created_at: string;
  expires_at: string;
  resource_id?: string;
  name?: string;
  kind?: string;
}

interface OverdueListing {
  id: string;
  name: string;
  kind: string;
  lg_code: string;
  address: string;
  last_confirmed: string;
  verified_at: string | null;
  open_request: OpenRequest | null;
}

interface Overdue {
  older_than_days: number;
  confirmed_since: string;
  total: number;
  limit: number;
  offset: number;
  listings: OverdueListing[];
  open_requests: OpenRequest[];
  review_count: number;
  next_offset?: number;
}

interface Issued {
  url: string;
  code: string;
  expires_at: string;
}

const PAGE = 50;

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let host: FreshnessHost;
let root: HTMLElement;
let open = false;
let seq = 0;
let offset = 0;
let days: number | null = null;
let kind = '';
let shown: OverdueListing[] = [];

/** "2026-10-05" → 「2026年10月」. */
export function jaMonth(iso: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})/.exec(iso ?? '');
  return m ? t('detail.verified_month', { year: m[1], month: Number(m[2]) }) : '';
}

/** An ISO timestamp as its day in Japan. */
function jaDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(document.documentElement.lang === 'en' ? 'en-GB' : 'ja-JP', {
    dateStyle: 'long',
    timeZone: 'Asia/Tokyo',
  }).format(d);
}

function query(): string {
  const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (days !== null) q.set('older_than_days', String(days));
  if (kind) q.set('kind', kind);
  return q.toString();
}

function listingHtml(l: OverdueListing): string {
  const h = `fr-${esc(l.id)}`;
  const req = l.open_request;
  return `<li class="fresh-item" data-id="${esc(l.id)}" aria-labelledby="${h}-name">
    <h4 id="${h}-name">${esc(l.name)} <span class="fresh-kind">${esc(t(`kind.${l.kind}`))}</span></h4>
    <p class="fresh-meta">${esc(l.address || l.lg_code)} · ${esc(
      l.verified_at
        ? t('fresh.last', { month: jaMonth(l.verified_at) })
        : t('fresh.never', { month: jaMonth(l.last_confirmed) }),
    )}</p>
    ${req ? `<p class="fresh-open">${esc(t('fresh.requested', { sent: jaDay(req.created_at), expires: jaDay(req.expires_at) }))}</p>` : ''}
    <button type="button" class="fresh-request" aria-describedby="${h}-name">${esc(
      req ? t('fresh.request_again') : t('fresh.request'),
    )}</button>
    <div class="fresh-issued" aria-live="polite"></div>
    <p class="error fresh-error" role="alert"></p>
  </li>`;
}

function issuedHtml(r: Issued): string {
  return `<p>${esc(t('fresh.issued', { expires: jaDay(r.expires_at) }))}</p>
    <p><span>${esc(t('fresh.link'))}</span> <a class="fresh-url" href="${esc(r.url)}">${esc(r.url)}</a></p>
    <p><span>${esc(t('fresh.code'))}</span> <code class="fresh-code">${esc(r.code)}</code></p>`;
}

async function refresh(): Promise<void> {
  const mine = ++seq;
  root.setAttribute('aria-busy', 'true');
  let o: Overdue;
  try {
    o = await api.getJson<Overdue>(`/api/confirmation/overdue?${query()}`);
  } catch (e) {
    if (mine !== seq) return;
    root.removeAttribute('aria-busy');
    showProblem($('fresh-error'), e);
    if (e instanceof api.ApiError && e.problem.status === 401) host.signedOut();
    return;
  }
  if (mine !== seq || !open) return;
  $('fresh-error').textContent = '';
  if (days === null) $<HTMLInputElement>('fresh-days').value = String(o.older_than_days);
  shown = o.listings;
  $('fresh-summary').textContent = t('fresh.summary', {
    n: o.total,
    days: o.older_than_days,
    date: jaMonth(o.confirmed_since),
  });
  $('fresh-review').innerHTML = esc(t('fresh.review', { n: o.review_count }));
  $('fresh-list').innerHTML = o.listings.length
    ? `<ol class="fresh-items" start="${o.offset + 1}">${o.listings.map(listingHtml).join('')}</ol>`
    : `<p class="empty">${esc(t('fresh.empty'))}</p>`;
  $<HTMLButtonElement>('fresh-all').hidden = !o.listings.length;
  $<HTMLButtonElement>('fresh-all').textContent = t('fresh.request_all', { n: o.listings.length });
  $<HTMLButtonElement>('fresh-prev').disabled = o.offset === 0;
  $<HTMLButtonElement>('fresh-next').disabled = o.next_offset === undefined;
  $('fresh-page').textContent = o.total
    ? t('fresh.page', { from: o.offset + 1, to: o.offset + o.listings.length, n: o.total })
    : '';
  $('fresh-requests').innerHTML = o.open_requests.length
    ? `<table><caption>${esc(t('fresh.open_title', { n: o.open_requests.length }))}</caption>
      <thead><tr><th scope="col">${esc(t('fresh.col_listing'))}</th><th scope="col">${esc(t('fresh.col_sent'))}</th><th scope="col">${esc(
        t('fresh.col_expires'),
      )}</th></tr></thead>
      <tbody>${o.open_requests
        .map(
          (r) =>
            `<tr><th scope="row">${esc(r.name)}</th><td>${esc(jaDay(r.created_at))}</td><td>${esc(jaDay(r.expires_at))}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="empty">${esc(t('fresh.open_none'))}</p>`;
  root.removeAttribute('aria-busy');
  document.body.dataset.freshReady = String(Number(document.body.dataset.freshReady ?? 0) + 1);
}

async function requestOne(li: HTMLElement): Promise<boolean> {
  const id = li.dataset.id!;
  const err = li.querySelector<HTMLElement>('.fresh-error')!;
  const button = li.querySelector<HTMLButtonElement>('.fresh-request')!;
  err.textContent = '';
  button.disabled = true;
  try {
    const r = await api.sendJson<Issued>(`/api/resources/${encodeURIComponent(id)}/confirmation-requests`, 'POST', {});
    li.querySelector<HTMLElement>('.fresh-issued')!.innerHTML = issuedHtml(r);
    li.classList.add('requested');
    return true;
  } catch (e) {
    button.disabled = false;
    showProblem(err, e);
    if (e instanceof api.ApiError && e.problem.status === 401) host.signedOut();
    return false;
  }
}

async function requestAll(): Promise<void> {
  const items = [...root.querySelectorAll<HTMLElement>('li.fresh-item')];
  let made = 0;
  for (const li of items) if (await requestOne(li)) made++; // one at a time: the server's workers are few
  host.announce(t('fresh.requested_all', { n: made, of: items.length }));
}

function onClick(e: Event): void {
  const target = e.target as HTMLElement;
  const button = target.closest<HTMLButtonElement>('button');
  if (!button) return;
  if (button.classList.contains('fresh-request')) {
    const li = button.closest<HTMLElement>('li.fresh-item')!;
    void requestOne(li).then((ok) => {
      if (ok) host.announce(t('fresh.requested_one', { name: shown.find((l) => l.id === li.dataset.id)?.name ?? '' }));
    });
  } else if (button.id === 'fresh-all') {
    void requestAll();
  } else if (button.id === 'fresh-prev') {
    offset = Math.max(0, offset - PAGE);
    void refresh();
  } else if (button.id === 'fresh-next') {
    offset += PAGE;
    void refresh();
  }
}

function onSubmit(e: Event): void {
  e.preventDefault();
  const v = Number($<HTMLInputElement>('fresh-days').value);
  days = Number.isInteger(v) && v >= 0 ? v : null;
  kind = $<HTMLSelectElement>('fresh-kind').value;
  offset = 0;
  void refresh();
}

export function initFreshness(el: HTMLElement, h: FreshnessHost): void {
  root = el;
  host = h;
}

export async function openFreshness(): Promise<void> {
  open = true;
  root.innerHTML = `
    <div class="match-head">
      <h2 id="fresh-title" tabindex="-1">${esc(t('fresh.title'))}</h2>
      <span class="links"><a href="#/" class="button-link" id="fresh-close">${esc(t('match.back'))}</a></span>
    </div>
    <p id="fresh-error" class="error" role="alert"></p>
    <form id="fresh-form" class="fresh-form">
      <label for="fresh-days">${esc(t('fresh.days'))}</label>
      <input id="fresh-days" type="number" min="0" max="36500" step="1" inputmode="numeric" value="${days ?? ''}">
      <label for="fresh-kind">${esc(t('fresh.kind'))}</label>
      <select id="fresh-kind"><option value="">${esc(t('fresh.kind_all'))}</option>${KINDS.map(
        (k) => `<option value="${esc(k.id)}"${k.id === kind ? ' selected' : ''}>${esc(t(`kind.${k.id}`))}</option>`,
      ).join('')}</select>
      <button type="submit">${esc(t('fresh.show'))}</button>
    </form>
    <p id="fresh-review" class="hint"></p>
    <p class="hint">${esc(t('fresh.letters'))} <code>tsunagi confirm request --db … --base-url … --out letters.pdf --older-than-days N</code></p>
    <h3 id="fresh-summary"></h3>
    <p><button type="button" id="fresh-all" hidden></button></p>
    <div id="fresh-list"></div>
    <p class="fresh-pager"><button type="button" id="fresh-prev">${esc(t('fresh.prev'))}</button>
      <span id="fresh-page"></span>
      <button type="button" id="fresh-next">${esc(t('fresh.next'))}</button></p>
    <div id="fresh-requests" class="fresh-requests"></div>`;
  root.hidden = false;
  root.addEventListener('click', onClick);
  $('fresh-form').addEventListener('submit', onSubmit);
  $('fresh-title').focus();
  await refresh();
}

export function closeFreshness(): void {
  if (!root) return;
  open = false;
  seq++;
  root.removeEventListener('click', onClick);
  root.hidden = true;
  root.innerHTML = '';
}

export function freshnessOpen(): boolean {
  return open;
}

/** The language changed: draw again. */
export function relabel(): void {
  if (open) void openFreshness();
}
