// The host's page: /c/{token} (the link in the letter) or /c (type the code from the letter).
// Shows the listing as the host may know it and takes one of three answers; a change, a pause
// or an end is reviewed by the coordinator before it reaches the map. Plain Japanese, large text,
// one column; every step is a heading or a form reachable by keyboard, announced by #status.
import './confirm.css';
import { ApiError, getJson, sendJson } from './api';

type Listing = Record<string, unknown>;
interface Page {
  listing: Listing;
  editable: string[];
  last_confirmed: string;
}

const content = document.getElementById('content')!;
const status = document.getElementById('status')!;
const title = document.getElementById('page-title')!;

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function say(text: string): void {
  status.textContent = text;
}

/** Moves focus to the page title so that a screen reader reads the new step from its top. */
function step(heading: string): void {
  title.textContent = heading;
  title.focus();
}

/** What the host reads when a request fails (plain Japanese; the server's detail in brackets). */
function problem(e: unknown): string {
  if (!(e instanceof ApiError)) return 'サーバーに接続できませんでした。少し時間をおいてから、もう一度お試しください。';
  const p = e.problem;
  if (p.status === 404) return 'このリンクまたはコードは使えません。期限切れ、回答済み、または入力の誤りかもしれません。お手数ですが、担当の生活支援コーディネーターにお問い合わせください。';
  if (p.status === 429) return '続けて何度も試されたため、しばらく受け付けられません。少し時間をおいてから、もう一度お試しください。';
  // A problem+json names its code; any other answer (a proxy's page) only its status.
  if (p.code !== String(p.status)) return `入力内容をご確認ください。（${p.detail}）`;
  return `うまくいきませんでした。（${p.status}）`;
}

function codeForm(): void {
  step('確認コードの入力');
  content.innerHTML = `
    <form id="code-form" novalidate>
      <label for="code">お手紙に書かれた確認コード（10文字）</label>
      <input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
             aria-describedby="code-help" required>
      <p id="code-help">例：ABCDE-FGHJK（大文字・小文字、ハイフンの有無はどちらでもかまいません）</p>
      <button type="submit">次へ</button>
    </form>`;
  document.getElementById('code-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const code = (document.getElementById('code') as HTMLInputElement).value.trim();
    if (!code) {
      say('確認コードを入力してください。');
      return;
    }
    void load(code);
  });
}

function row(label: string, value: unknown): string {
  const v = Array.isArray(value) ? value.map((x) => (typeof x === 'object' ? (x as Listing).text ?? '' : x)).join('、') : value;
  return v === undefined || v === null || v === '' ? '' : `<dt>${esc(label)}</dt><dd>${esc(v)}</dd>`;
}

function showListing(key: string, page: Page): void {
  const l = page.listing;
  step('掲載内容のご確認');
  content.innerHTML = `
    <p>地域の社会資源マップに、次のように掲載しています。内容をご確認ください。</p>
    <h2 id="listing-name">${esc(l.name)}</h2>
    <dl aria-labelledby="listing-name">
      ${row('種類', l.kind_ja)}
      ${row('場所', [l.address, l.building].filter(Boolean).join(' '))}
      ${row('日時', l.schedules)}
      ${row('参加費', l.fee_note)}
      ${row('電話', l.phone)}
      ${row('メール', l.email)}
      ${row('ホームページ', l.url)}
      ${row('紹介文', l.description)}
      ${row('最終確認日', page.last_confirmed || '未確認')}
    </dl>
    <h2>ご回答</h2>
    <button type="button" id="a-unchanged">変わりありません</button>
    <button type="button" id="a-changed" class="secondary">変更があります</button>
    <button type="button" id="a-stopped" class="secondary">活動を休止・終了しました</button>`;
  document.getElementById('a-unchanged')!.addEventListener('click', () => void answer(key, { answer: 'unchanged' }));
  document.getElementById('a-changed')!.addEventListener('click', () => changeForm(key, l));
  document.getElementById('a-stopped')!.addEventListener('click', () => stopForm(key));
}

function changeForm(key: string, l: Listing): void {
  step('変更の内容');
  const field = (id: string, label: string, value: unknown, multiline = false) =>
    `<label for="c-${id}">${esc(label)}</label>` +
    (multiline
      ? `<textarea id="c-${id}" name="${id}" rows="4">${esc(value)}</textarea>`
      : `<input id="c-${id}" name="${id}" value="${esc(value)}">`);
  content.innerHTML = `
    <form id="change-form" novalidate>
      <p>変わったところだけ書き直してください。曜日や時間の変更は「紹介文」にお書きください。担当者が確認してから地図に反映します。</p>
      ${field('description', '紹介文（曜日・時間・内容など）', l.description, true)}
      ${field('fee_note', '参加費について', l.fee_note)}
      ${field('phone', '電話番号（公開してよい番号）', l.phone)}
      ${field('email', 'メールアドレス（公開してよいもの）', l.email)}
      ${field('url', 'ホームページ', l.url)}
      <button type="submit">この内容で送る</button>
      <button type="button" id="back" class="secondary">戻る</button>
    </form>`;
  document.getElementById('back')!.addEventListener('click', () => void load(key));
  document.getElementById('change-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const changes: Listing = {};
    for (const id of ['description', 'fee_note', 'phone', 'email', 'url']) {
      const v = (document.getElementById(`c-${id}`) as HTMLInputElement).value.trim();
      if (v !== String(l[id] ?? '')) changes[id] = v;
    }
    if (Object.keys(changes).length === 0) {
      say('変更された項目がありません。変わりがなければ「戻る」から「変わりありません」をお選びください。');
      return;
    }
    void answer(key, { answer: 'changed', changes });
  });
}

function stopForm(key: string): void {
  step('休止・終了のお知らせ');
  content.innerHTML = `
    <p>どちらか当てはまる方をお選びください。</p>
    <button type="button" id="a-paused">しばらく休止しています</button>
    <button type="button" id="a-ended">活動を終了しました</button>
    <button type="button" id="back" class="secondary">戻る</button>`;
  document.getElementById('a-paused')!.addEventListener('click', () => void answer(key, { answer: 'paused' }));
  document.getElementById('a-ended')!.addEventListener('click', () => void answer(key, { answer: 'ended' }));
  document.getElementById('back')!.addEventListener('click', () => void load(key));
}

async function answer(key: string, body: Listing): Promise<void> {
  say('送信しています…');
  let reply: { message?: string };
  try {
    reply = await sendJson(`/api/confirm/${encodeURIComponent(key)}`, 'POST', body, { credentials: 'omit' });
  } catch (e) {
    say(problem(e));
    return;
  }
  step('ありがとうございました');
  content.innerHTML = `<p>${esc(reply.message ?? 'ご回答を受け付けました。')}</p>`;
  say('');
}

async function load(key: string): Promise<void> {
  say('読み込んでいます…');
  let page: Page;
  try {
    page = await getJson<Page>(`/api/confirm/${encodeURIComponent(key)}`, { credentials: 'omit' });
  } catch (e) {
    say(problem(e));
    return;
  }
  say('');
  showListing(key, page);
}

const m = /^\/c\/([^/]+)$/.exec(location.pathname);
if (m) {
  void load(decodeURIComponent(m[1]));
} else {
  codeForm();
}
