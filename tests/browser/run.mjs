#!/usr/bin/env node
// Browser tests of the map page (frontend/): real Chromium (Debian's), the real `tsunagi serve`
// on a fresh demo town in a SpatiaLite store, no network. Screenshots go to
// build/browser-artifacts/.
//
// usage: node tests/browser/run.mjs [--tsunagi PATH] [--frontend DIR] [--only NAME]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  COORDINATOR, CHROMIUM, MATCHER, PLANNER, STAFF_FIGURE, Suite, artifacts, assert, assertEqual, ensureArtifacts, launchBrowser,
  loadPlaywright, repo, skip, startServer,
} from './harness.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const tsunagi = path.resolve(opt('--tsunagi', process.env.TSUNAGI_BIN ?? path.join(repo, 'build/ci/cli/tsunagi')));
const dist = path.resolve(opt('--frontend', path.join(repo, 'frontend/dist')));
const only = opt('--only', '');

if (!existsSync(tsunagi)) skip(`no tsunagi binary at ${tsunagi} (build it, or pass --tsunagi)`);
if (!existsSync(path.join(dist, 'index.html'))) skip(`no built front end at ${dist} (cd frontend && npm run build)`);
if (!existsSync(CHROMIUM)) skip(`no Chromium at ${CHROMIUM} (scripts/setup --tests installs Debian's chromium)`);
const { chromium } = loadPlaywright();
const axeSource = readFileSync(path.join(repo, 'frontend/node_modules/axe-core/axe.min.js'), 'utf8');

ensureArtifacts();
const server = await startServer(tsunagi, dist);
const browser = await launchBrowser(chromium);
const base = server.url;
// Every page runs under the server's Content-Security-Policy; anything it refuses (an inline
// script or style, an eval, a request to another site than the basemap) fails the suite.
const cspViolations = [];
const cspExpected = new WeakSet(); // pages that try what the policy must refuse
browser.context.on('console', (msg) => {
  if (msg.page() && cspExpected.has(msg.page())) return;
  if (/Content Security Policy/i.test(msg.text())) cspViolations.push(`${msg.page()?.url() ?? ''}: ${msg.text()}`);
});

// ---- helpers ----

/** What each open page asked and threw, for what a test says when it times out (traffic()). */
const watched = new WeakMap();

const pathOf = (r) => `${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`;

/** The page's requests still unanswered (with how long they have waited), its last answered API
 *  requests, and its errors. */
function traffic(page) {
  const w = watched.get(page);
  if (!w) return 'not watched';
  const now = Date.now();
  const open = [...w.open].map(([r, t]) => `${pathOf(r)} (${now - t} ms)`);
  return `unanswered: ${open.join(', ') || 'none'}; answered: ${w.done.slice(-8).join(', ')}; errors: ${w.errors.join(' | ') || 'none'}`;
}

/** A page that has drawn the map and the list; external requests (the basemap) fail fast. */
async function openPage(query = '', { viewport, keepSession = false } = {}) {
  // Every page starts as the public unless told otherwise (the profile shares cookies).
  if (!keepSession) await browser.context.clearCookies();
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const external = [];
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
    external.push(route.request().url());
    return route.abort('internetdisconnected');
  });
  const tileResponses = [];
  page.on('response', (r) => {
    if (/\/tiles\/resources\/\d+\/\d+\/\d+\.mvt/.test(r.url())) tileResponses.push(r.status());
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const w = { open: new Map(), done: [], errors };
  watched.set(page, w);
  page.on('request', (r) => w.open.set(r, Date.now()));
  page.on('requestfinished', (r) => {
    w.open.delete(r);
    if (r.url().includes('/api/')) w.done.push(pathOf(r));
  });
  page.on('requestfailed', (r) => w.open.delete(r));
  await page.goto(`${base}/${query}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  await page.waitForSelector('body[data-drawn-at]', { timeout: 30000 }); // the page's own "fully drawn"
  await mapIdle(page);
  return { page, external, tileResponses, errors };
}

/** Waits until MapLibre has loaded every tile it wants for the current view. */
async function mapIdle(page) {
  await page.waitForFunction(() => {
    const m = window.tsunagi?.map;
    return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
  }, null, { timeout: 30000 });
}

async function renderedResources(page) {
  return page.evaluate(() =>
    window.tsunagi.map
      .queryRenderedFeatures({ layers: ['resources-point', 'resources-cluster'] })
      .map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] })),
  );
}

async function listNames(page) {
  return page.$$eval('#list li .name', (els) => els.map((e) => e.textContent));
}

async function waitForList(page, previous) {
  await page.waitForFunction((prev) => document.body.dataset.listReady !== prev, previous, { timeout: 15000 });
}

async function listSeq(page) {
  return page.evaluate(() => document.body.dataset.listReady);
}

async function apiJson(url, init) {
  const r = await fetch(`${base}${url}`, init);
  return { status: r.status, body: await r.json(), etag: r.headers.get('etag') };
}

async function staffSession(who = COORDINATOR) {
  const r = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: who.name, password: who.password }),
  });
  assertEqual(r.status, 200, 'API login');
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  return { cookie, csrf: csrf_token };
}

// The tests of the server's own basemap need Debian's tilemaker (scripts/setup installs it); without
// it they say so and pass over.
function hasTilemaker() {
  try {
    execFileSync('sh', ['-c', 'command -v tilemaker'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log('  (skipped: tilemaker is not installed; scripts/setup installs it)');
    return false;
  }
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: false });
}

function metres(a, b) {
  const rad = Math.PI / 180;
  const x = (b[0] - a[0]) * rad * Math.cos(((a[1] + b[1]) / 2) * rad);
  const y = (b[1] - a[1]) * rad;
  return Math.hypot(x, y) * 6371000;
}

async function login(page, who = COORDINATOR) {
  await page.click('#login-open');
  await page.fill('#login-name', who.name);
  await page.fill('#login-password', who.password);
  const seq = await listSeq(page);
  await page.click('#login-submit');
  await page.waitForSelector('#new-resource:not([hidden])');
  await waitForList(page, seq);
}

// ---- tests ----

const suite = new Suite();

suite.test('the map loads the demo town and draws markers from tiles; GSI failing, its walking network\'s streets are the basemap', async () => {
  const { page, external, tileResponses, errors } = await openPage();
  const drawn = await renderedResources(page);
  assert(drawn.length > 0, 'resource symbols are drawn');
  await screenshot(page, 'desktop-map');
  assert(tileResponses.includes(200), `resource tiles were fetched (${tileResponses.join(',')})`);
  assert(drawn.every((f) => typeof f.kind === 'string'), 'every drawn feature has a kind');
  const points = drawn.filter((f) => f.cluster !== true);
  assert(points.length > 0 && points.every((f) => typeof f.id === 'string' && !('name' in f) && !('barrier_free' in f)),
    `the map asks for its points' id and kind alone (fields=): ${JSON.stringify(points[0])}`);
  const boundary = await page.evaluate(
    () => window.tsunagi.map.queryRenderedFeatures({ layers: ['municipality-line'] }).length,
  );
  assert(boundary > 0, 'the municipality boundary is drawn');
  assert(external.some((u) => u.includes('cyberjapandata.gsi.go.jp')), 'the GSI basemap was asked for (and failed)');
  assert(external.every((u) => u.includes('cyberjapandata.gsi.go.jp')), `nothing else external: ${external.join(' ')}`);
  await page.waitForFunction(() => !window.tsunagi.map.getLayer('basemap'));
  // The demo store has a walking network and no basemap extract: the server draws the network's
  // streets (/tiles/basemap, kind network) and the page falls back to them.
  assert((await page.textContent('#status')).includes('歩行ネットワークの道'), 'the page says it shows the network\'s streets');
  await page.waitForFunction(() => window.tsunagi.map.getLayer('bm-road'));
  const view = await page.evaluate(() => ({ c: window.tsunagi.map.getCenter(), z: window.tsunagi.map.getZoom() }));
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.622, 35.097], zoom: 14 }));
  await mapIdle(page);
  const streets = await page.evaluate(() => window.tsunagi.map.queryRenderedFeatures({ layers: ['bm-road'] }).length);
  assert(streets > 20, `the network's streets are drawn (${streets})`);
  assert((await page.textContent('#credits-list')).includes('歩行ネットワークの道'), 'and credited');
  await page.evaluate((v) => window.tsunagi.map.jumpTo({ center: v.c, zoom: v.z }), view);
  await mapIdle(page);
  const items = (await listNames(page)).length;
  assert(items > 0, 'the list shows resources');
  // The numbered badges on the map are the list's numbers.
  const numbers = await page.evaluate(() =>
    window.tsunagi.map.querySourceFeatures('numbered').map((f) => f.properties.n),
  );
  assertEqual(new Set(numbers).size, items, 'one numbered badge per list item');
  // The rest of the result, numbered on.
  const total = (await apiJson('/api/resources?limit=0')).body.numberMatched;
  assert(total > items, 'the demo has more than one page');
  const seq = await listSeq(page);
  await page.click('#list-more');
  await waitForList(page, seq);
  const more = await listNames(page);
  assertEqual(more.length, Math.min(total, 2 * items), 'the next page is appended');
  assertEqual(await page.textContent(`#list li:nth-child(${items + 1}) .num`), String(items + 1), 'numbered on');
  await page.waitForFunction((n) => window.tsunagi.map.querySourceFeatures('numbered').length >= n, more.length);
  const legend = await page.$$eval('#legend-list li', (els) => els.length);
  assert(legend >= 15, 'a legend entry per kind');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the page runs under a Content-Security-Policy that refuses inline script', async () => {
  const { page, errors } = await openPage();
  const doc = await page.request.get(`${base}/`);
  const csp = doc.headers()['content-security-policy'] ?? '';
  assert(/(^|;)\s*script-src 'self'(;|$)/.test(csp), `script-src 'self': ${csp}`);
  assert(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), `nothing unsafe: ${csp}`);
  assertEqual(doc.headers()['referrer-policy'], 'same-origin', 'Referrer-Policy');
  for (const file of ['index.html', ...(await page.evaluate(() =>
    [...document.querySelectorAll('script[src], link[rel=stylesheet]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href'))))]) {
    const r = await page.request.get(`${base}/${file.replace(/^\//, '')}`);
    assert(r.headers()['content-security-policy'] === csp, `${file} carries the policy`);
  }
  assertEqual(await page.evaluate(() => document.querySelectorAll('script:not([src]), style').length), 0,
    'no inline script or <style> in the page');
  // What a missed escape would inject does not run.
  cspExpected.add(page);
  const ran = await page.evaluate(async () => {
    window.injected = false;
    const div = document.createElement('div');
    div.innerHTML = '<img src="x" onerror="window.injected = true">';
    document.body.append(div);
    const s = document.createElement('script');
    s.textContent = 'window.injected = true';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 300));
    div.remove();
    s.remove();
    return { injected: window.injected };
  });
  assertEqual(ran, { injected: false }, 'an injected inline script or handler does not run');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('low zooms show the server clusters', async () => {
  const { page } = await openPage('?map=10/35.097/133.622');
  const drawn = await renderedResources(page);
  const clusters = drawn.filter((f) => f.cluster === true);
  assert(clusters.length > 0, 'clusters drawn at z10');
  assert(clusters.every((c) => c.count > 1), 'clusters carry counts');
  await page.close();
});

suite.test('a filter changes the list and the map', async () => {
  const { page } = await openPage('?map=14/35.097/133.622');
  const before = await renderedResources(page);
  const seq = await listSeq(page);
  await page.selectOption('#f-kind', 'kayoi_no_ba');
  await waitForList(page, seq);
  await page.waitForFunction(() => window.tsunagi.map.getSource('resources').url.includes('kind=kayoi_no_ba'));
  await mapIdle(page);
  const expected = await apiJson('/api/resources?kind=kayoi_no_ba&limit=0');
  const count = await page.textContent('#count');
  assert(count.includes(String(expected.body.numberMatched)), `count ${count} = ${expected.body.numberMatched}`);
  const kinds = await page.$$eval('#list li .meta', (els) => els.map((e) => e.textContent));
  assert(kinds.length > 0 && kinds.every((k) => k.startsWith('通いの場')), 'every list item is a 通いの場');
  const after = await renderedResources(page);
  assert(after.length > 0, 'markers drawn after filtering');
  assert(after.every((f) => f.kind === 'kayoi_no_ba'), 'every marker is a 通いの場');
  assert(before.some((f) => f.kind !== 'kayoi_no_ba'), 'before, other kinds were drawn');
  assert(page.url().includes('kind=kayoi_no_ba'), 'the filter is in the URL');
  await page.close();
});

suite.test('the URL of a filtered map reproduces it in a new page', async () => {
  const { page } = await openPage('?map=13.5/35.1/133.62');
  for (const [sel, value] of [['#f-kind', 'kayoi_no_ba'], ['#f-day', 'wed'], ['#f-time', 'afternoon']]) {
    const seq = await listSeq(page);
    await page.selectOption(sel, value);
    await waitForList(page, seq);
  }
  const names = await listNames(page);
  const url = page.url();
  assert(url.includes('day=wed') && url.includes('time=afternoon'), `state in the URL: ${url}`);
  // The page's 午後 is the server's (one code list, /api/meta), not a copy of its own.
  const meta = (await apiJson('/api/meta')).body;
  const pm = meta.codes.day_parts.find((p) => p.id === 'afternoon');
  assert(pm && pm.ja === '午後', 'the server names its afternoon');
  const sent = await page.evaluate(() => window.tsunagi.map.getSource('resources').url);
  assert(sent.includes(`open_from=${encodeURIComponent(pm.from)}`) && sent.includes(`open_to=${encodeURIComponent(pm.to)}`),
    `the page asks for the server's afternoon ${pm.from}–${pm.to}: ${sent}`);
  const api = await apiJson(`/api/resources?kind=kayoi_no_ba&open_day=wed&open_from=${pm.from}&open_to=${pm.to}&limit=0`);
  assert(names.length === Math.min(50, api.body.numberMatched), 'the list is the API result');
  const timeOptions = await page.$$eval('#f-time option', (els) => els.map((e) => e.value).filter(Boolean));
  const windows = [];
  const seenWindows = new Set();
  for (const p of meta.codes.day_parts) {
    if (!seenWindows.has(`${p.from}-${p.to}`)) windows.push(p.id);
    seenWindows.add(`${p.from}-${p.to}`);
  }
  assertEqual(timeOptions, windows, "the page offers the server's parts of the day");
  const copy = await openPage(url.slice(base.length + 1));
  assertEqual(await listNames(copy.page), names, 'same list');
  assertEqual(await copy.page.inputValue('#f-kind'), 'kayoi_no_ba', 'same kind');
  assertEqual(await copy.page.inputValue('#f-day'), 'wed', 'same day');
  assertEqual(await copy.page.inputValue('#f-time'), 'afternoon', 'same time');
  const zoom = await copy.page.evaluate(() => window.tsunagi.map.getZoom());
  assert(Math.abs(zoom - 13.5) < 0.01, `same zoom (${zoom})`);
  await copy.page.close();
  await page.close();
});

suite.test('the detail shows the schedule in Japanese, and 要確認 past the configured age', async () => {
  const all = (await apiJson('/api/resources?limit=500')).body.features;
  const monthly = all.find((f) => f.properties.schedules?.some((s) => /第\d/.test(s.text)));
  assert(monthly, 'the demo has a monthly schedule');
  const { page } = await openPage(`?sel=${monthly.id}`);
  await page.waitForSelector('#detail:not([hidden]) .schedule');
  const text = await page.textContent('#detail .schedule');
  assert(/(毎月)?第\d(・第?\d)*[月火水木金土日]曜日/.test(text), `schedule in Japanese: ${text}`);
  assert(/\d{1,2}:\d{2}〜\d{1,2}:\d{2}/.test(text), `with hours: ${text}`);
  await screenshot(page, 'desktop-detail');
  const days = (iso) => (Date.now() - Date.parse(iso)) / 86400000;
  const old = all.find((f) => f.properties.verified_at && days(f.properties.verified_at) > 400);
  const fresh = all.find((f) => f.properties.verified_at && days(f.properties.verified_at) < 300);
  assert(old && fresh, 'the demo has old and recent confirmations');
  await page.goto(`${base}/?sel=${old.id}`);
  await page.waitForSelector('#detail:not([hidden]) .verified');
  assertEqual(await page.textContent('#detail .stale'), '要確認', 'old confirmation marked');
  await page.goto(`${base}/?sel=${fresh.id}`);
  await page.waitForSelector('#detail:not([hidden]) .verified');
  assertEqual(await page.$('#detail .stale'), null, 'recent confirmation not marked');
  await page.close();
});

let created = null; // { id, name }

suite.test('a coordinator signs in, creates a resource by address, and sees it without reloading', async () => {
  const { page } = await openPage('?map=13/35.097/133.622');
  await page.evaluate(() => (window.__sameDocument = true));
  await login(page);
  await page.click('#new-resource');
  await page.waitForSelector('#editor-form');
  // Validation errors appear next to their field.
  await page.click('#e-save');
  await page.waitForFunction(() => document.querySelector('#e-name-error')?.textContent !== '');
  assertEqual(await page.textContent('#e-name-error'), '名前を入れてください', 'name error next to the name');
  assertEqual(await page.getAttribute('#e-name', 'aria-invalid'), 'true', 'name marked invalid');
  assert((await page.textContent('#e-lon-error')).includes('位置'), 'position error next to the position');
  // An address the table knows only roughly is placed, and said to be approximate.
  await page.fill('#e-address', 'つなぎ町北山五丁目');
  await page.click('#e-geocode');
  await page.waitForSelector('#e-geocode-result[data-match]');
  assertEqual(await page.getAttribute('#e-geocode-result', 'data-match'), 'approximate', 'approximate match said');
  // The real address.
  const name = 'ブラウザ試験のサロン（架空）';
  await page.fill('#e-name', name);
  await page.fill('#e-address', 'つなぎ町栄町3-5');
  await page.click('#e-geocode');
  await page.waitForSelector('#e-geocode-result[data-match="exact"]');
  assert((await page.textContent('#e-geocode-result')).includes('栄町'), 'placed at 栄町');
  await page.selectOption('#e-kind', 'ibasho');
  // A new place starts 内部のみ: this one is published on purpose.
  assertEqual(await page.inputValue('#e-publish'), 'internal', 'the most private level first');
  await page.selectOption('#e-publish', 'public');
  // The server's own check of a field, shown next to that field.
  await page.fill('#e-schedules', 'ときどき');
  await page.click('#e-save');
  await page.waitForFunction(() => document.querySelector('#e-schedules-error')?.textContent !== '');
  assert((await page.textContent('#e-schedules-error')).includes('ときどき'), 'the schedule error quotes it');
  assertEqual(await page.textContent('#e-name-error'), '', 'the name error is gone');
  await page.fill('#e-schedules', '毎月第2・第4木曜日 10:00〜12:00');
  await page.check('input[name="targets"][value="elderly"]');
  // A field the server's field table puts on the pages (GET /api/fields): アクセス.
  assertEqual((await page.textContent('.field[data-field="access_note"] label')).trim(), 'アクセス', 'the table field has its label');
  await page.fill('#e-access_note', 'バス停「栄町」から徒歩3分');
  await screenshot(page, 'desktop-editor');
  await page.click('#e-save');
  await page.waitForSelector('#detail:not([hidden]) #detail-name');
  assertEqual(await page.textContent('#detail-name'), name, 'the detail shows the new resource');
  const sched = await page.textContent('#detail .schedule');
  assert(/第2・第?4木曜日 10:00〜12:00/.test(sched), `schedule kept, in Japanese: ${sched}`);
  assertEqual(await page.textContent('#detail dd[data-field="access_note"]'), 'バス停「栄町」から徒歩3分', 'the detail shows the table field');
  const id = new URL(page.url()).searchParams.get('sel');
  created = { id, name };
  // The list is in name order: the new place is found by its name.
  await page.fill('#f-q', name);
  await page.waitForFunction((n) => [...document.querySelectorAll('#list .name')].some((e) => e.textContent === n), name);
  await page.fill('#f-q', '');
  // On the map, from the tiles.
  await page.waitForFunction(
    (i) => window.tsunagi.map.queryRenderedFeatures({ layers: ['resources-point'] }).some((f) => f.properties.id === i),
    id,
    { timeout: 20000 },
  );
  assert(await page.evaluate(() => window.__sameDocument === true), 'no reload happened');
  const geo = await apiJson('/api/geocode?q=' + encodeURIComponent('つなぎ町栄町'));
  const feature = (await apiJson(`/api/resources/${id}`)).body;
  assertEqual(feature.geometry.coordinates, [geo.body.matches[0].lon, geo.body.matches[0].lat], 'at the 栄町 point');
  await page.close();
});

suite.test('an edit conflict (412) is shown with the other version side by side', async () => {
  assert(created, 'needs the resource created above');
  const { page } = await openPage(`?sel=${created.id}`);
  await login(page);
  await page.click('#detail-edit');
  await page.waitForSelector('#editor-form');
  // Someone else saves first.
  const s = await staffSession();
  const current = await fetch(`${base}/api/resources/${created.id}`, { headers: { Cookie: s.cookie } });
  const etag = current.headers.get('etag');
  const props = (await current.json()).properties;
  for (const k of Object.keys(props)) if (k.endsWith('_ja')) delete props[k];
  props.phone = '0867-00-1111';
  const put = await fetch(`${base}/api/resources/${created.id}`, {
    method: 'PUT',
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'If-Match': etag, 'Content-Type': 'application/json' },
    body: JSON.stringify(props),
  });
  assertEqual(put.status, 200, 'the other edit is saved');
  await page.fill('#e-phone', '0867-00-2222');
  await page.click('#e-save');
  await page.waitForSelector('#e-conflict:not([hidden]) table');
  const table = await page.textContent('#e-conflict table');
  assert(table.includes('0867-00-2222') && table.includes('0867-00-1111'), `both versions shown: ${table}`);
  await screenshot(page, 'desktop-conflict');
  await page.click('#e-overwrite');
  await page.waitForSelector('#detail:not([hidden]) #detail-name');
  assert((await page.textContent('#detail .contact')).includes('0867-00-2222'), 'overwritten on request');
  await page.close();
});

suite.test('the public view never shows an unpublished resource or a private home exactly', async () => {
  const s = await staffSession();
  const staff = { Cookie: s.cookie };
  const internal = (await apiJson('/api/resources?limit=1000', { headers: staff })).body.features;
  const hidden = internal.filter((f) => f.properties.publish !== 'public');
  assert(hidden.length > 0, 'the demo has unpublished resources');
  // A サロン in a private home, placed exactly by a coordinator.
  const sakae = (await apiJson('/api/geocode?q=' + encodeURIComponent('つなぎ町栄町'))).body.matches[0];
  const exact = [Number((sakae.lon + 0.0012).toFixed(6)), Number((sakae.lat - 0.0008).toFixed(6))];
  const home = {
    name: '個人宅サロン試験（架空）', kind: 'ibasho', venue: 'private_home', publish: 'public',
    lon: exact[0], lat: exact[1], address: 'つなぎ町栄町2-8（架空）', phone: '0867-00-3333',
    schedules: ['毎週月曜日 10:00〜12:00'],
  };
  const made = await fetch(`${base}/api/resources`, {
    method: 'POST',
    headers: { ...staff, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify(home),
  });
  assertEqual(made.status, 201, 'the private home is created');
  const homeId = (await made.json()).id;
  const stored = (await apiJson(`/api/resources/${homeId}`, { headers: staff })).body;
  assertEqual(stored.geometry.coordinates, exact, 'staff see the exact position');

  const { page } = await openPage('?map=16/35.097/133.622');
  const listedIds = () => page.$$eval('#list li[data-id]', (els) => els.map((e) => e.dataset.id));
  for (const f of hidden.slice(0, 8)) {
    const seq = await listSeq(page);
    await page.fill('#f-q', f.properties.name);
    await waitForList(page, seq);
    assert(!(await listedIds()).includes(f.id), `${f.id} (${f.properties.publish}) not listed`);
  }
  // The whole public tile layer at z16 over the town: no hidden resource anywhere.
  await page.fill('#f-q', '');
  const hiddenIds = new Set(hidden.map((f) => f.id));
  const seen = new Set();
  for (const dx of [-0.02, 0, 0.02]) {
    for (const dy of [-0.01, 0, 0.01]) {
      await page.evaluate((c) => window.tsunagi.map.jumpTo({ center: c, zoom: 15 }), [133.622 + dx, 35.097 + dy]);
      await mapIdle(page);
      for (const f of await renderedResources(page)) seen.add(f.id);
    }
  }
  assert(seen.size > 50, `the sweep saw the public resources (${seen.size})`);
  assert([...seen].every((id) => !hiddenIds.has(id)), 'no unpublished resource in the public tiles');

  const seq = await listSeq(page);
  await page.fill('#f-q', home.name);
  await waitForList(page, seq);
  assert((await listedIds()).includes(homeId), 'the private home is listed for the public');
  await page.click('#list li .item');
  await page.waitForSelector('#detail:not([hidden]) .contact');
  const detail = await page.textContent('#detail dl');
  assert(!detail.includes('2-8'), `no house number in the public detail: ${detail}`);
  assert(!detail.includes('0867-00-3333'), 'no private phone');
  await page.evaluate((c) => window.tsunagi.map.jumpTo({ center: c, zoom: 16 }), exact);
  await mapIdle(page);
  const drawn = (await renderedResources(page)).filter((d) => d.id === homeId);
  assert(drawn.every((d) => metres([d.lon, d.lat], exact) > 50), 'not drawn at its exact position');
  const numbered = await page.evaluate((i) =>
    window.tsunagi.map.querySourceFeatures('numbered').filter((x) => x.properties.id === i).map((x) => x.geometry.coordinates), homeId);
  assert(numbered.length === 1 && metres(numbered[0], exact) > 50, 'its list number is not at the exact position');
  await page.close();
});

suite.test('the print view holds the numbered list, the map and the credits', async () => {
  const { page } = await openPage('?kind=ibasho&map=13/35.097/133.622');
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  const names = await listNames(page);
  for (const orientation of ['portrait', 'landscape']) {
    await page.click(`#print-${orientation}`);
    await page.click('#print-go'); // the title as suggested
    await page.waitForFunction((n) => window.__printed === n, orientation === 'portrait' ? 1 : 2);
    const rows = await page.$$eval('#print-sheet tbody tr', (trs) =>
      trs.map((tr) => [tr.querySelector('.n').textContent, tr.children[1].firstChild.textContent]));
    assertEqual(rows.map((r) => r[1]), names, 'the list, in order');
    assertEqual(rows.map((r) => r[0]), names.map((_, i) => String(i + 1)), 'numbered 1..n like the markers');
    const sched = await page.textContent('#print-sheet tbody');
    assert(/曜日/.test(sched), 'schedules in Japanese');
    const credits = await page.textContent('#print-sheet .print-credits');
    // The GSI tiles never came (no network): only what the sheet drew is credited.
    assert(credits.includes('架空のデモデータ') && !credits.includes('地理院タイル'), `credits: ${credits}`);
    const img = await page.getAttribute('#print-sheet img.print-map', 'src');
    assert(img.startsWith('data:image/png;base64,') && img.length > 5000, 'the map image');
    const pageRule = await page.evaluate(() =>
      document.adoptedStyleSheets.flatMap((sh) => [...sh.cssRules].map((r) => r.cssText)).join('\n'));
    // The CSSOM writes "A4 portrait" as "a4" (portrait is the default).
    const size = /size:\s*a4( landscape)?;/i.exec(pageRule);
    assert(size && Boolean(size[1]) === (orientation === 'landscape'), `A4 ${orientation} page size: ${pageRule}`);
    await page.emulateMedia({ media: 'print' });
    assert(await page.isVisible('#print-sheet'), 'the sheet is what prints');
    assert(!(await page.isVisible('#filters')), 'the page chrome does not print');
    await page.screenshot({ path: path.join(artifacts, `print-${orientation}.png`), fullPage: true });
    await page.pdf({ path: path.join(artifacts, `print-${orientation}.pdf`), format: 'A4', landscape: orientation === 'landscape', preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
  }
  await page.close();
});

// ---- the matching page (#/match) ----

// A person's approximate place in the demo town, on its streets south of the river (the river is
// crossed by two bridges only); the demo's placements and 居場所 lie within a 20 minute walk.
const MATCH_POINT = [133.622, 35.097];

/** Clicks the map at a lon/lat (after centring it there). */
async function clickMapAt(page, lonLat) {
  const [x, y] = await page.evaluate((p) => {
    const m = window.tsunagi.map;
    m.jumpTo({ center: p, zoom: 15 });
    const q = m.project(p);
    const r = m.getCanvas().getBoundingClientRect();
    return [r.left + q.x, r.top + q.y];
  }, lonLat);
  await page.mouse.click(x, y);
}

/** Signs in `who` (a 参加支援 matcher) and opens the matching page from its link. */
async function openMatchPage(page, who = MATCHER) {
  await login(page, who);
  await page.waitForSelector('#match-open:not([hidden])');
  await page.click('#match-open');
  await page.waitForSelector('#match-form');
  await page.waitForFunction(() => document.body.dataset.route === 'match');
}

/** The colour (#rrggbb) a basemap style paints a layer's lines with. */
async function styleLineColor(url, layerId) {
  const style = await (await fetch(`${url}/tiles/basemap/style.json`)).json();
  return style.layers.find((l) => l.id === layerId).paint['line-color'];
}

/**
 * Pixels of the handout's map image (#print-sheet img.handout-map): how many are `color` (±6 per
 * channel) within 120 px of the drawn route's box (the route's own orange pixels; the whole image
 * when no route is drawn), and how many are near-black (the stop's label: nothing else is).
 */
async function handoutMapPixels(page, color) {
  return page.evaluate(async (hex) => {
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const img = document.querySelector('#print-sheet img.handout-map');
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        // The route's line: #a33a00.
        if (Math.abs(data[i] - 0xa3) < 20 && Math.abs(data[i + 1] - 0x3a) < 20 && data[i + 2] < 30) {
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
      }
    }
    const routed = x1 >= 0;
    if (!routed) [x0, y0, x1, y1] = [0, 0, width - 1, height - 1];
    const pad = 120;
    let near = 0;
    let dark = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i] < 0x30 && data[i + 1] < 0x30 && data[i + 2] < 0x30) dark++;
        if (x < x0 - pad || x > x1 + pad || y < y0 - pad || y > y1 + pad) continue;
        if ([0, 1, 2].every((k) => Math.abs(data[i + k] - want[k]) <= 6)) near++;
      }
    }
    return { routed, near, dark };
  }, color);
}

suite.test('a matcher finds candidates: catchment, ranked list with walking minutes, a route, a handout', async () => {
  const { page, errors } = await openPage('?map=14/35.097/133.622');
  assert(!(await page.isVisible('#match-open')), 'no matching link before signing in');
  await openMatchPage(page);
  assertEqual(await page.evaluate(() => document.activeElement.id), 'match-title', 'focus moves to the page');
  assert(!(await page.isVisible('#filters')), 'the filters give way to the form');
  // Submitting without a place says so, next to the place.
  await page.click('#m-submit');
  assert((await page.textContent('#m-place-error')).includes('場所'), 'a place is required');

  // The assessment: a point clicked on the map, two mornings, short hours, 50s.
  await page.click('#m-pick');
  await clickMapAt(page, MATCH_POINT);
  assert((await page.textContent('#m-place-now')).includes('地図で選んだ点'), 'the clicked point is the place');
  await page.check('#m-when input[value="tue"]');
  await page.check('#m-when input[value="thu"]');
  await page.fill('#m-from', '09:00');
  await page.fill('#m-to', '12:00');
  await page.check('#m-constraints input[value="short_hours"]');
  await page.check('#m-constraints input[value="low_contact"]');
  await page.selectOption('#m-age', '50s');
  await page.fill('#m-walk', '20');
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/match') && r.request().method() === 'POST');
  await page.click('#m-submit');
  const response = await answered;
  assertEqual(response.status(), 200, 'POST /api/match');
  const sent = JSON.parse(response.request().postData());
  const allowed = ['at', 'area', 'kinds', 'activities', 'tasks', 'availability', 'max_walk_min', 'step_free',
    'short_hours', 'low_contact', 'companion', 'age_band', 'walking_profile'];
  assert(Object.keys(sent).every((k) => allowed.includes(k)), `only the match fields are sent: ${Object.keys(sent)}`);
  assert(metres(sent.at, MATCH_POINT) < 30, `the clicked point is sent (${sent.at})`);
  assertEqual(sent.availability, [{ day: 'tue', from: '09:00', to: '12:00' }, { day: 'thu', from: '09:00', to: '12:00' }], 'availability');
  assertEqual([sent.age_band, sent.short_hours, sent.low_contact, sent.max_walk_min], ['50s', true, true, 20], 'constraints');
  const answer = await response.json();
  assertEqual(answer.network, 'walking', 'the demo town has its streets');
  assert(answer.candidates.length >= 2, `candidates (${answer.candidates.length})`);
  assert(!page.url().includes('50s') && !page.url().includes('133.622,'), `nothing of the form in the URL: ${page.url()}`);

  // The list: ranked as answered, each with its walking minutes, distance, score and reasons.
  await page.waitForSelector('#m-candidates li[data-id]');
  const items = await page.$$eval('#m-candidates li[data-id]', (lis) =>
    lis.map((li) => ({
      id: li.dataset.id,
      name: li.querySelector('.name').textContent,
      walk: li.querySelector('.walk-min').textContent,
      way: li.querySelector('.way').textContent,
      score: li.querySelector('.score').textContent,
      reasons: [...li.querySelectorAll('.reasons li')].map((r) => r.textContent),
    })));
  assertEqual(items.map((i) => i.id), answer.candidates.map((c) => c.id), 'the ranked candidates, in order');
  items.forEach((it, i) => {
    const c = answer.candidates[i];
    assertEqual(it.walk, `徒歩${c.walk_min}分`, `${c.name}: walking minutes`);
    assert(it.way.includes('道のり') && /\d/.test(it.way), `${c.name}: distance (${it.way})`);
    assert(it.score.includes(String(c.score)), `${c.name}: score`);
    assertEqual(it.reasons, c.reasons, `${c.name}: the reasons`);
  });
  assert(!(await page.isVisible('#m-banner')), 'no straight-line banner on the walking network');
  // On the map: the walking reach, the person's point, a marker per candidate.
  await mapIdle(page);
  const drawn = await page.evaluate(() => {
    const m = window.tsunagi.map;
    return {
      catchment: m.queryRenderedFeatures({ layers: ['match-catchment-fill'] }).length,
      origin: m.queryRenderedFeatures({ layers: ['match-origin'] }).length,
      markers: new Set(m.queryRenderedFeatures({ layers: ['match-candidates'] }).map((f) => f.properties.id)).size,
      route: m.queryRenderedFeatures({ layers: ['match-route'] }).length,
    };
  });
  assert(drawn.catchment > 0, 'the catchment polygon is drawn');
  assertEqual(drawn.origin, 1, "the person's point is drawn on the matcher's screen");
  assertEqual(drawn.markers, answer.candidates.length, 'one marker per candidate');
  assertEqual(drawn.route, 0, 'no route before a candidate is chosen');
  // The excluded places, folded, with their reasons.
  assert(answer.excluded.length > 0, 'the demo leaves close places out');
  assert(!(await page.isVisible('#m-excluded-list')), 'the excluded places start folded');
  await page.click('#m-excluded-title');
  const whys = await page.$$eval('#m-excluded-list li .why', (els) => els.map((e) => e.textContent));
  assertEqual(whys, answer.excluded.map((e) => e.reasons.join('、')), 'each excluded place with why');

  // Choosing a candidate (from the keyboard) draws its route and highlights it.
  const s = await staffSession(MATCHER);
  let chosen = null;
  for (const c of answer.candidates) {
    const r = await apiJson(`/api/resources/${c.id}`, { headers: { Cookie: s.cookie } });
    if (c.route && c.walk_m > 500 && r.body.properties.venue !== 'private_home' && r.body.properties.offer) {
      chosen = { ...c, resource: r.body.properties };
      break;
    }
  }
  assert(chosen, 'a placement with a route of more than 500 m, not in a private home');
  await page.focus(`#m-candidates li[data-id="${chosen.id}"] .item`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.body.dataset.matchSelected === id, chosen.id);
  assertEqual(await page.getAttribute(`#m-candidates li[data-id="${chosen.id}"] .item`, 'aria-pressed'), 'true', 'pressed');
  await mapIdle(page);
  const route = await page.evaluate(() => {
    const m = window.tsunagi.map;
    return {
      lines: m.queryRenderedFeatures({ layers: ['match-route'] }).length,
      selected: m.queryRenderedFeatures({ layers: ['match-candidates'] }).filter((f) => f.properties.selected).map((f) => f.properties.id),
    };
  });
  assert(route.lines > 0, 'the walking route is drawn');
  assertEqual([...new Set(route.selected)], [chosen.id], 'its marker is highlighted');
  assert((await page.textContent('#status')).includes(`徒歩${chosen.walk_min}分`), 'the choice is announced');
  await screenshot(page, 'desktop-match');

  // 紹介を記録: a referral records the 町丁 (never the point), the age band and the needs.
  await page.waitForSelector('#m-ref summary');
  await page.click('#m-ref summary');
  const what = await page.textContent('#m-ref-what');
  assert(what.includes('50代') && what.includes('短時間') && what.includes('人との接触が少なめ'), `what is recorded is shown: ${what}`);
  await axe(page, 'match');
  const posted = page.waitForRequest((r) => r.url().endsWith('/api/referrals') && r.method() === 'POST');
  await page.click('#m-ref-submit');
  const referral = JSON.parse((await posted).postData());
  assertEqual(Object.keys(referral).sort(), ['age_band', 'home_area', 'legal_basis', 'needs', 'resource_id'], 'the referral fields only');
  await page.waitForFunction(() => /C-/.test(document.getElementById('m-ref-done').textContent));
  assert(await page.isDisabled('#m-ref-submit'), 'recorded once');
  assert(await page.isVisible('#m-ref-cases'), 'a way to 紹介の記録 after recording');
  await page.locator('#m-ref').scrollIntoViewIfNeeded();
  await screenshot(page, 'desktop-match-referral');
  const caseId = /C-[A-Z0-9]+/.exec(await page.textContent('#m-ref-done'))[0];
  const stored = await apiJson(`/api/referrals/${caseId}`, { headers: { Cookie: s.cookie } });
  assertEqual(stored.status, 200, 'the referral is stored');
  assertEqual([stored.body.resource_id, stored.body.age_band, stored.body.legal_basis.code, stored.body.status],
    [chosen.id, '50s', 'shien_kaigi', 'proposed'], 'placement, age band, legal basis, status');
  assertEqual(stored.body.needs.map((n) => n.code).sort(), ['low_contact', 'short_hours'], 'the needs');
  const [lon, lat] = MATCH_POINT;
  const d = 0.0001; // a box around the point (a degenerate one matches nothing)
  const around = (await apiJson(`/ogc/collections/areas/items?bbox=${lon - d},${lat - d},${lon + d},${lat + d}`)).body.features
    .filter((f) => f.properties.kind === 'chome').map((f) => f.id);
  assert(around.includes(stored.body.home_area), `the home area is the point's 町丁 (${stored.body.home_area} in ${around})`);

  // The handout: the place, its schedule, the walk, a map of the way in — nothing of the person.
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  await page.click(`#m-candidates li[data-id="${chosen.id}"] .handout`);
  await page.click('#handout-go'); // nothing typed: lines to write on
  await page.waitForFunction(() => window.__printed === 1, null, { timeout: 30000 });
  const sheet = await page.textContent('#print-sheet');
  assert(sheet.includes(chosen.name), 'the place name');
  assert(sheet.includes(`約${chosen.walk_min}分`), 'the walking time');
  for (const sc of chosen.resource.schedules) assert(sheet.includes(sc.text), `the schedule ${sc.text}`);
  if (chosen.resource.address) assert(sheet.includes(chosen.resource.address), 'the public address');
  if (chosen.resource.phone) assert(sheet.includes(chosen.resource.phone), 'the contact');
  const img = await page.getAttribute('#print-sheet img.handout-map', 'src');
  assert(img && img.startsWith('data:image/png;base64,') && img.length > 5000, 'the route map image');
  // The map is drawn on the server's own basemap: here (no extract) the walking network's grey
  // streets, around the route.
  const streetGrey = await styleLineColor(base, 'bm-road');
  const px = await handoutMapPixels(page, streetGrey);
  assert(px.routed, 'the route is drawn on the handout');
  assert(px.near > 400, `streets are drawn around the route (${px.near} pixels of ${streetGrey})`);
  assertEqual(await page.getAttribute('#print-sheet', 'data-stop'), '', 'the network alone knows no stop to mark');
  // Nothing of the assessment: age band, wishes, constraints (unless the place's own text has them).
  const own = JSON.stringify(chosen.resource);
  for (const word of ['50代', '50s', '短時間', '人との接触', '対人', '希望', '配慮', '適合度', '火曜 9:00〜12:00', caseId, stored.body.home_area]) {
    if (!own.includes(word)) assert(!sheet.includes(word), `the handout does not say ${word}`);
  }
  // The person's point is not drawn: the printed line starts at least 300 m along the walk.
  const from = (await page.getAttribute('#print-sheet', 'data-route-from')).split(',').map(Number);
  const line = chosen.route.coordinates;
  assert(metres(from, line[0]) > 150 && metres(from, sent.at) > 150, `the printed route starts away from the person (${from})`);
  assert(metres(from, line[line.length - 1]) < 520, 'and shows the last part of the way');
  await page.emulateMedia({ media: 'print' });
  assert(await page.isVisible('#print-sheet .handout'), 'the handout is what prints');
  assert(!(await page.isVisible('#match-form')), 'the form does not print');
  await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi, for the screenshot
  await page.screenshot({ path: path.join(artifacts, 'print-handout.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });
  const pdf = await page.pdf({ path: path.join(artifacts, 'print-handout.pdf'), format: 'A4', preferCSSPageSize: true });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? [];
  assertEqual(pages.length, 1, 'one A4 page');
  await page.emulateMedia({ media: 'screen' });

  // Leaving the page forgets the answer: no layers left on the map.
  await page.click('#match-close');
  await page.waitForFunction(() => document.body.dataset.route === 'map');
  assert(await page.isVisible('#filters'), 'back to the map and its filters');
  const left = await page.evaluate(() => window.tsunagi.map.querySourceFeatures('match-catchment').length);
  assertEqual(left, 0, 'the catchment is gone');
  assertEqual((await page.textContent('#print-sheet')).trim(), '', 'and the handout');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('a matcher far from any street: straight-line estimates are flagged; errors are told in words', async () => {
  const { page, errors } = await openPage('?map=13/35.1/133.64');
  await openMatchPage(page);
  // North-east of the town, more than 1 km from any walkable way.
  await page.click('#m-pick');
  await clickMapAt(page, [133.66, 35.12]);
  await page.fill('#m-walk', '45');
  await page.click('#m-submit');
  await page.waitForSelector('#m-candidates li[data-id]');
  assert(await page.isVisible('#m-banner'), 'the straight-line banner');
  assert((await page.textContent('#m-banner')).includes('直線距離×1.3'), 'saying distances are estimates');
  const ways = await page.$$eval('#m-candidates li[data-id] .way', (els) => els.map((e) => e.textContent));
  assert(ways.length > 0 && ways.every((w) => w.includes('目安')), `every distance is an estimate: ${ways[0]}`);
  await page.click('#m-candidates li[data-id] .item');
  await mapIdle(page);
  assertEqual(await page.evaluate(() => window.tsunagi.map.queryRenderedFeatures({ layers: ['match-route'] }).length), 0,
    'no route is drawn for an estimate');
  // The handout then shows the destination alone.
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  await page.click('#m-candidates li.selected .handout');
  await page.click('#handout-go'); // nothing typed: lines to write on
  await page.waitForFunction(() => window.__printed === 1, null, { timeout: 30000 });
  assertEqual(await page.getAttribute('#print-sheet', 'data-route-from'), '', 'no route on the handout');
  // In English, with what was entered, answered and chosen kept; and back.
  const chosenId = await page.getAttribute('#m-candidates li.selected', 'data-id');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('match-title')?.textContent === 'Participation support matching');
  assertEqual(await page.inputValue('#m-walk'), '45', 'the form is kept');
  assert((await page.textContent('#m-banner')).includes('estimates'), 'the banner in English');
  assert((await page.textContent('#m-place-now')).includes('a point chosen on the map'), 'the place is kept');
  assertEqual(await page.getAttribute('#m-candidates li.selected', 'data-id'), chosenId, 'the choice is kept');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('match-title')?.textContent === '参加支援のマッチング');
  // A 400 (the server refusing the request), and no server at all: said in words, next to the button.
  await page.route('**/api/match', (route) =>
    route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ code: 'invalid_body', detail: 'max_walk_min must be a whole number of minutes from 1 to 120' }) }));
  await page.click('#m-submit');
  await page.waitForFunction(() => document.getElementById('m-error').textContent.includes('歩ける時間'));
  const refused = await page.textContent('#m-error');
  assert(refused.startsWith('入力を確かめてください') && !/[A-Za-z]{3,}/.test(refused), `400: the field by its Japanese label: ${refused}`);
  assert(!(await page.isVisible('#m-results')), 'no stale candidates beside an error');
  await page.unroute('**/api/match');
  await page.route('**/api/match', (route) =>
    route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ code: 'forbidden', detail: 'Not allowed for your role' }) }));
  await page.click('#m-submit');
  await page.waitForFunction(() => document.getElementById('m-error').textContent.includes('マッチング担当者だけ'));
  await page.unroute('**/api/match');
  await page.route('**/api/match', (route) => route.abort('connectionrefused'));
  await page.click('#m-submit');
  await page.waitForFunction(() => document.getElementById('m-error').textContent.includes('サーバーにつながりません'));
  await page.unroute('**/api/match');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the matching page is for matchers only: the public and a coordinator never get it', async () => {
  // The public: no link, and the address of the page shows a notice instead of a form.
  const pub = await openPage('#/match');
  assert(!(await pub.page.isVisible('#match-open')), 'no link for the public');
  assert(await pub.page.isVisible('#match-denied'), 'a notice');
  assert((await pub.page.textContent('#match-denied')).includes('マッチング担当者'), 'saying who may use it');
  assertEqual(await pub.page.$('#match-form'), null, 'no form');
  assert(await pub.page.isVisible('#filters'), 'the map page as usual');
  // A coordinator, signed in on that address: still no link and no form.
  await login(pub.page, COORDINATOR);
  assert(!(await pub.page.isVisible('#match-open')), 'no link for a coordinator');
  assertEqual(await pub.page.$('#match-form'), null, 'no form for a coordinator');
  assert(await pub.page.isVisible('#match-denied'), 'the notice for a coordinator');
  const loaded = await pub.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  assert(!loaded.some((u) => /\/assets\/match-/.test(u)), 'the matching code is never loaded for them');
  await pub.page.close();
  // The server agrees.
  const body = JSON.stringify({ at: MATCH_POINT });
  const anon = await fetch(`${base}/api/match`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  assertEqual(anon.status, 401, 'the public gets 401');
  const c = await staffSession(COORDINATOR);
  const coord = await fetch(`${base}/api/match`, {
    method: 'POST', headers: { Cookie: c.cookie, 'X-CSRF-Token': c.csrf, 'Content-Type': 'application/json' }, body,
  });
  assertEqual(coord.status, 403, 'a coordinator gets 403');

  // A matcher whose session has gone (signed out elsewhere) is told so, in words.
  const { page } = await openPage();
  await openMatchPage(page);
  const chunks = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  assert(chunks.some((u) => /\/assets\/match-/.test(u)), 'a matcher loads the matching code on opening the page');
  const area = await page.$eval('#m-area option:nth-child(2)', (o) => o.value);
  await page.selectOption('#m-area', area);
  // On a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 740 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 375);
  await page.screenshot({ path: path.join(artifacts, 'phone-match-full.png'), fullPage: true });
  await axe(page, 'match-phone');
  await browser.context.clearCookies();
  await page.click('#m-submit');
  await page.waitForFunction(() => document.getElementById('m-error').textContent !== '');
  assert((await page.textContent('#m-error')).includes('ログインし直して'), 'a 401 asks to sign in again');
  assert(!(await page.isVisible('#match-open')), 'and the page no longer offers matching');
  await page.close();
});

suite.test('a list longer than one page is read to its end (api.pages follows the next links)', async () => {
  // The server's own count of the small areas the matching form offers.
  const all = (await apiJson('/ogc/collections/areas/items?limit=1000')).body;
  const small = all.features.filter((f) => ['small_area', 'chome', 'oaza'].includes(f.properties.kind));
  assertEqual(all.features.length, all.numberMatched, 'the reference list is whole');
  assert(small.length > 7, `the demo town has more than 7 small areas (${small.length})`);
  const { page } = await openPage();
  // Pages of 3 areas: the form must follow the server's next links to list every one.
  const asked = [];
  await page.route(/\/ogc\/collections\/areas\/items/, (route) => {
    const u = new URL(route.request().url());
    u.searchParams.set('limit', '3');
    asked.push(u.searchParams.get('offset') ?? '0');
    return route.continue({ url: u.toString() });
  });
  await openMatchPage(page);
  const options = await page.$$eval('#m-area option', (os) => os.map((o) => o.value).filter(Boolean));
  assertEqual(options.length, small.length, 'every small area is offered, not the first page');
  assertEqual(new Set(options).size, options.length, 'none twice');
  assert(asked.length >= Math.ceil(all.numberMatched / 3), `every page was asked for (${asked.length})`);
  await page.close();

  // A page that comes back one area short (the list changed while it was read, or a proxy cut
  // it): the planner says so instead of drawing a map with a hole in it.
  const short = await openPage();
  await short.page.route(/\/ogc\/collections\/areas\/items/, async (route) => {
    const u = new URL(route.request().url());
    u.searchParams.set('limit', '3');
    const response = await route.fetch({ url: u.toString() });
    const body = await response.json();
    if (u.searchParams.get('offset') === '3') body.features.pop();
    return route.fulfill({ response, json: body });
  });
  await short.page.click('#planner-open');
  await short.page.waitForSelector('#planner .notice[role="alert"]');
  const said = await short.page.textContent('#planner .notice');
  assert(said.includes(`${all.numberMatched - 1} items read where the server counts ${all.numberMatched}`), said);
  await short.page.close();
});

suite.test('keyboard-only use reaches every filter and the list', async () => {
  const { page } = await openPage();
  const wanted = ['f-kind', 'f-activity', 'f-target', 'f-day', 'f-time', 'f-barrier-free', 'f-vacancy', 'f-q', 'f-place', 'f-place-go', 'pick-point', 'reset'];
  const seen = new Set();
  let reachedList = false;
  for (let i = 0; i < 60 && !(reachedList && wanted.every((w) => seen.has(w))); i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => ({ id: document.activeElement?.id, item: !!document.activeElement?.closest('#list') }));
    if (info.id) seen.add(info.id);
    if (info.item) reachedList = true;
  }
  for (const w of wanted) assert(seen.has(w), `Tab reaches #${w}`);
  assert(reachedList, 'Tab reaches the list');
  // A filter works from the keyboard, and a list item opens its detail.
  await page.focus('#f-barrier-free');
  const seq = await listSeq(page);
  await page.keyboard.press('Space');
  await waitForList(page, seq);
  assert(page.url().includes('barrier_free=1'), 'checkbox toggled by keyboard');
  await page.focus('#list li .item');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#detail:not([hidden])');
  assertEqual(await page.evaluate(() => document.activeElement.id), 'detail-name', 'focus moves to the detail');
  await page.focus('#detail-close');
  await page.keyboard.press('Enter');
  assert(await page.evaluate(() => !!document.activeElement.closest('#list')), 'focus returns to the list');
  await page.close();
});

async function axe(page, label) {
  await page.evaluate(axeSource); // not a <script> element: the page's CSP refuses inline scripts
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  writeFileSync(path.join(artifacts, `axe-${label}.json`), JSON.stringify(result.violations, null, 1));
  assert(bad.length === 0, `${label}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`).join('; ')}`);
}

suite.test('axe-core finds no serious or critical violation (desktop, 375 px, detail, editor)', async () => {
  const desktop = await openPage();
  await axe(desktop.page, 'desktop');
  await desktop.page.click('#list li .item');
  await desktop.page.waitForSelector('#detail:not([hidden])');
  await axe(desktop.page, 'detail');
  await login(desktop.page);
  await desktop.page.click('#new-resource');
  await desktop.page.waitForSelector('#editor-form');
  await axe(desktop.page, 'editor');
  await desktop.page.close();
  const phone = await openPage('', { viewport: { width: 375, height: 740 } });
  await axe(phone.page, 'phone');
  await phone.page.close();
});

suite.test('the host page (/c/{token}, /c): the one listing, answered by keyboard, axe-clean at 375 px', async () => {
  const { cookie, csrf } = await staffSession();
  const first = (await apiJson('/api/resources?limit=1')).body.features[0];
  const made = await fetch(`${base}/api/resources/${first.id}/confirmation-requests`, {
    method: 'POST',
    headers: { cookie, 'X-CSRF-Token': csrf },
  });
  assertEqual(made.status, 201, 'a coordinator asks the host');
  const { url, code } = await made.json();
  await browser.context.clearCookies(); // the host has no account
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(url);
  await page.waitForSelector('#a-unchanged');
  assertEqual(await page.textContent('#listing-name'), first.properties.name, 'the link shows its listing');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 375, `no horizontal scrolling at 375 px (${width})`);
  await axe(page, 'confirm-listing');
  await screenshot(page, 'confirm-375');
  await page.click('#a-changed');
  await page.waitForSelector('#change-form');
  assert(await page.evaluate(() => document.activeElement?.id === 'page-title'), 'focus moves to the new step');
  await axe(page, 'confirm-change');
  await page.click('#back');
  await page.waitForSelector('#a-unchanged');
  await page.focus('#a-unchanged');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('page-title')?.textContent === 'ありがとうございました');
  const after = (await apiJson(`/api/resources/${first.id}`)).body.properties.verified_at;
  assertEqual(after, new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10), 'verified_at moved');
  // The code typed at /c: the request is answered now, so it is refused, in plain words.
  await page.goto(`${base}/c`);
  await page.waitForSelector('#code');
  await axe(page, 'confirm-code');
  await page.fill('#code', code.toLowerCase());
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').includes('使えません'));
  assertEqual(errors.length, 0, `no script errors: ${errors.join('; ')}`);
  await page.close();
  // 「情報の誤りを報告」 on the public detail: a personal detail is refused in words, a plain
  // report is taken.
  const pub = await openPage(`?sel=${first.id}`);
  await pub.page.waitForSelector('#detail:not([hidden]) .report summary');
  await pub.page.click('#detail .report summary');
  await axe(pub.page, 'report-form');
  await pub.page.fill('#report-text', '電話 090-1234-5678 に変わりました');
  await pub.page.click('#report-form button[type=submit]');
  await pub.page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').includes('送れませんでした'));
  await pub.page.fill('#report-text', '今は木曜日の開催です');
  await pub.page.click('#report-form button[type=submit]');
  await pub.page.waitForFunction(() => (document.getElementById('status')?.textContent ?? '').includes('担当者が確認します'));
  await pub.page.close();
});

suite.test('usable at 375 px and with text enlarged to 200 %', async () => {
  const { page } = await openPage('', { viewport: { width: 375, height: 740 } });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 375, `no horizontal scrolling at 375 px (${width})`);
  assert((await listNames(page)).length > 0, 'the list is there');
  const mapBox = await page.locator('#map').boundingBox();
  assert(mapBox.width >= 300 && mapBox.height >= 250, 'the map is usable');
  await screenshot(page, 'phone-375');
  await page.screenshot({ path: path.join(artifacts, 'phone-375-full.png'), fullPage: true });
  await page.close();
  // 200 % text, as a browser's text size setting does it (the default font size doubled).
  const big = await openPage();
  const cdp = await browser.context.newCDPSession(big.page);
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });
  await big.page.waitForFunction(() => parseFloat(getComputedStyle(document.querySelector('#list .name')).fontSize) >= 31);
  const clipped = () =>
    big.page.evaluate(() =>
      [...document.querySelectorAll('#filters label, #filters select, #f-q, #list .name, #list .meta, h1, header button')]
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.right > document.documentElement.clientWidth + 1 || r.left < -1;
        })
        .map((e) => e.id || e.textContent.slice(0, 20)),
    );
  assertEqual(await clipped(), [], 'nothing cut off at 200 % text');
  assertEqual(await big.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling');
  const mapBig = await big.page.locator('#map').boundingBox();
  assert(mapBig.height >= 250, 'the map stays usable');
  await screenshot(big.page, 'desktop-text-200');
  await big.page.close();
  // 200 % page zoom: the same page in half the CSS pixels.
  const zoomed = await openPage('', { viewport: { width: 640, height: 430 } });
  assertEqual(await zoomed.page.evaluate(() => document.documentElement.scrollWidth <= 640), true, 'no horizontal scrolling at 200 % zoom');
  assert((await listNames(zoomed.page)).length > 0, 'the list at 200 % zoom');
  await zoomed.page.close();
});

suite.test('English switch, and the embed mode without chrome', async () => {
  const { page } = await openPage();
  assertEqual(await page.textContent('#app-title'), 'つなぎ 地域の社会資源マップ', 'Japanese by default');
  await page.click('#lang-switch');
  assertEqual(await page.textContent('#app-title'), 'tsunagi — community resources map', 'English');
  assertEqual(await page.textContent('label[for="f-kind"]'), 'Kind', 'English labels');
  assert(page.url().includes('lang=en'), 'language in the URL');
  await page.close();
  const embed = await openPage('?embed=1&kind=kayoi_no_ba');
  assert(!(await embed.page.isVisible('header')), 'no header');
  assert(!(await embed.page.isVisible('#filters')), 'no filter form');
  assert((await listNames(embed.page)).length > 0, 'the list');
  assert((await embed.page.getAttribute('#open-full', 'href')).includes('kind=kayoi_no_ba'), 'link to the full map keeps the filters');
  await screenshot(embed.page, 'desktop-embed');
  await embed.page.close();
});

// ---- one town's map (?municipality=): its title, its extent, its resources only ----

suite.test('?municipality= opens on the town with its own title, and the embed too', async () => {
  // Two of the nine Aomori towns (seed 004) beside the demo town, in one store.
  const n03 = path.resolve(repo, '../shared/data/n03-municipalities');
  if (!existsSync(path.join(n03, '02361.geojson'))) {
    console.log(`  skipped: no ${n03}/02361.geojson (the shared N03 boundaries)`);
    return;
  }
  const towns = await startServer(tsunagi, dist, {
    prepare: (db, dir) => {
      for (const c of ['02361', '02381']) {
        execFileSync(tsunagi, ['import', '--db', db, '--boundary', path.join(n03, `${c}.geojson`)], { stdio: 'ignore' });
      }
    },
  });
  try {
    const meta = await (await fetch(`${towns.url}/api/meta`)).json();
    const town = meta.municipalities.find((m) => m.code === '023612');
    assert(town?.bbox, '藤崎町 is loaded with its extent');
    const open = async (query) => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort('internetdisconnected'));
      await page.goto(`${towns.url}/${query}`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
      await page.waitForSelector('body[data-drawn-at]', { timeout: 30000 });
      await mapIdle(page);
      return page;
    };
    for (const query of ['?municipality=023612', '?embed=1&municipality=023612']) {
      const page = await open(query);
      assertEqual(await page.title(), '藤崎町 地域の社会資源マップ', `${query}: the town's title`);
      const [w, s, e, n] = town.bbox;
      const c = await page.evaluate(() => window.tsunagi.map.getCenter());
      assert(c.lng > w && c.lng < e && c.lat > s && c.lat < n, `${query}: opens on the town (${c.lng},${c.lat} in ${town.bbox})`);
      const urls = await page.evaluate(() => ['resources', 'areas'].map((id) => window.tsunagi.map.getSource(id).url));
      assert(urls.every((u) => u.includes('municipality=023612')), `the tiles carry the town: ${urls}`);
      assertEqual((await listNames(page)).length, 0, `${query}: none of the demo town's places in 藤崎町's list`);
      if (query.includes('embed')) {
        assert((await page.getAttribute('#open-full', 'href')).includes('municipality=023612'), 'the full map stays on the town');
      } else {
        assertEqual(await page.textContent('#app-title'), '藤崎町 地域の社会資源マップ', 'the heading');
        await screenshot(page, 'town-fujisaki');
      }
      await page.close();
    }
    const page = await open('');
    assertEqual(await page.title(), 'つなぎ 地域の社会資源マップ', 'the default page keeps the instance title');
    assert((await listNames(page)).length > 0, 'and lists every town');
    await page.close();
  } finally {
    await towns.stop();
  }
});

// ---- 広域: a planner of two towns analyses one of them; a planner of every town the region ----

suite.test('the gap panel offers a planner their own towns only, and the answer names the town', async () => {
  const n03 = path.resolve(repo, '../shared/data/n03-municipalities');
  if (!existsSync(path.join(n03, '02381.geojson'))) {
    console.log(`  skipped: no ${n03}/02381.geojson (the shared N03 boundaries)`);
    return;
  }
  const TOWN_PLANNER = { name: 'town-planner', password: 'browser-test-password-9', role: 'planner' };
  const towns = await startServer(tsunagi, dist, {
    prepare: (db) => {
      for (const c of ['02361', '02381']) {
        execFileSync(tsunagi, ['import', '--db', db, '--boundary', path.join(n03, `${c}.geojson`)], { stdio: 'ignore' });
      }
      // 75歳以上 of the two towns, as age bands (the demo town has its own by 町丁).
      execFileSync('sqlite3', [db, `INSERT INTO area_population (area_id, ref_date, age_from, age_to, male, female) VALUES
        ('municipality:023612', '2020-10-01', 75, NULL, 1300, 1800),
        ('municipality:023817', '2020-10-01', 75, NULL, 1100, 1500);`]);
      execFileSync(tsunagi, ['user', 'add', '--db', db, '--name', TOWN_PLANNER.name, '--role', 'planner', '--municipality', '023612,023817'], {
        env: { ...process.env, TSUNAGI_PASSWORD: TOWN_PLANNER.password, TSUNAGI_PWHASH: 'minimum' },
        stdio: 'ignore',
      });
    },
  });
  try {
    const open = async (who) => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort('internetdisconnected'));
      await page.goto(`${towns.url}/`);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
      await loginAs(page, who);
      await openPlanner(page);
      await page.waitForSelector('#gap-town');
      return page;
    };
    const options = (page) => page.$$eval('#gap-town option', (os) => os.map((o) => [o.value, o.textContent.trim()]));
    // A planner of every town: the whole region first, then each town.
    const all = await open(PLANNER);
    const allOptions = await options(all);
    assertEqual(allOptions[0], ['', 'すべての市町村（広域）'], 'the whole region is a choice');
    assert(allOptions.some(([v]) => v === '023612') && allOptions.some(([v]) => v === '023817'), `every town: ${allOptions}`);
    await all.close();
    // A planner of 藤崎町 and 板柳町: those two, no region.
    const page = await open(TOWN_PLANNER);
    assertEqual(await options(page), [['023612', '藤崎町'], ['023817', '板柳町']], 'their own towns only');
    assertEqual(await page.evaluate(() => document.querySelector('label[for="gap-town"]').textContent.trim()), '対象の市町村', 'labelled');
    await page.selectOption('#gap-town', '023817');
    let sent = null;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/gap/jobs') && r.method() === 'POST') sent = JSON.parse(r.postData());
    });
    await page.click('#gap-submit');
    await page.waitForSelector('#gap-town-note', { timeout: 30000 });
    assertEqual(sent?.municipality, '023817', 'the request names the town');
    assert((await page.textContent('#gap-town-note')).includes('板柳町'), 'the answer says whose figures it holds');
    assert((await page.textContent('#gap-totals')).includes('2,600'), `板柳町's 75歳以上 only: ${await page.textContent('#gap-totals')}`);
    await axe(page, 'gap-two-towns');
    await page.close();
  } finally {
    await towns.stop();
  }
});

// ---- the planner page (#/planner): area indicators as a choropleth ----

/** R type-7 quantiles (linear between closest ranks), as the page should compute them. */
function quantileBreaks(values, k) {
  const s = [...values].sort((a, b) => a - b);
  const q = (p) => {
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * (s[Math.min(s.length - 1, lo + 1)] - s[lo]);
  };
  return Array.from({ length: k - 1 }, (_, i) => q((i + 1) / k));
}

const pct = (v) => `${(v * 100).toFixed(1)}%`;

/** The OGC API's areas of a kind, as `cookie`'s role sees them (none: the public). */
async function areaItems(kind, cookie) {
  const r = await fetch(`${base}/ogc/collections/areas/items?f=json&limit=1000`, { headers: cookie ? { Cookie: cookie } : {} });
  assertEqual(r.status, 200, 'OGC areas items');
  const body = await r.json();
  assertEqual(body.numberMatched, body.numberReturned, 'every area in one page');
  return body.features.map((f) => f.properties).filter((p) => p.kind === kind);
}

/** Signs in from the page's dialog (a planner has no 新しい場所 button to wait for). */
async function loginAs(page, who) {
  await page.click('#login-open');
  await page.fill('#login-name', who.name);
  await page.fill('#login-password', who.password);
  await page.click('#login-submit');
  await page.waitForSelector('#logout:not([hidden])');
}

async function openPlanner(page) {
  await page.click('#planner-open');
  await page.waitForSelector('#planner-form');
  await page.waitForFunction(() => document.body.dataset.route === 'planner' && document.body.dataset.plannerDrawn);
}

/** Chooses kind and indicator and waits until the choropleth is drawn for them. */
async function choose(page, kind, key) {
  await page.selectOption('#p-kind', kind);
  await page.selectOption('#p-key', key);
  await page.waitForFunction((want) => document.body.dataset.plannerDrawn?.startsWith(want), `${kind}|${key}|`);
  await mapIdle(page);
  await page.waitForFunction(() => window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-fill'] }).length > 0, null, { timeout: 20000 });
}

async function profileRow(page, key) {
  const row = await page.$(`#p-profile tr[data-key="${key}"] td`);
  return row ? (await row.textContent()).trim() : null;
}

suite.test('a planner draws 高齢化率 per 町丁 as quantile classes, opens an area, copies the ranking', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await loginAs(page, PLANNER);
  assert(await page.isVisible('#planner-open'), 'the planner link');
  const chunks = [];
  page.on('request', (r) => chunks.push(r.url()));
  await openPlanner(page);
  assert(chunks.some((u) => /\/assets\/planner-/.test(u)), 'the page code is loaded when opened');
  assertEqual(await page.evaluate(() => document.activeElement.id), 'planner-title', 'focus moves to the page');
  // The indicator is offered by its Japanese label; the staff figure too.
  const options = await page.$$eval('#p-key option', (os) => os.map((o) => [o.value, o.textContent]));
  assert(options.some(([v, l]) => v === 'aging_rate' && l === '高齢化率'), `高齢化率 offered: ${JSON.stringify(options)}`);
  assert(options.some(([v, l]) => v === 'hikikomori_estimate' && l.includes('推計')), 'ひきこもり推計 says it is an estimate');
  assert(options.some(([v]) => v === STAFF_FIGURE.key), 'a planner may choose the municipality figure');
  await choose(page, 'chome', 'aging_rate');

  // The choropleth: a step expression of ≥4 classes, on the 町丁 only.
  const style = await page.evaluate(() => {
    const m = window.tsunagi.map;
    return { color: m.getPaintProperty('planner-fill', 'fill-color'), filter: m.getFilter('planner-fill') };
  });
  assertEqual(style.filter, ['==', ['get', 'kind'], 'chome'], 'the fill is of the 町丁');
  const step = style.color[0] === 'step' ? style.color : style.color.find((e) => Array.isArray(e) && e[0] === 'step');
  assert(step, `a step expression: ${JSON.stringify(style.color)}`);
  const classes = (step.length - 1) / 2;
  assert(classes >= 4 && classes <= 7, `4–7 classes (${classes})`);
  const drawnBreaks = step.filter((_, i) => i >= 3 && i % 2 === 1);
  const colours = step.filter((_, i) => i >= 2 && i % 2 === 0);
  assertEqual(new Set(colours).size, classes, 'one colour per class');

  // The breaks are the quantiles of the API's 高齢化率 of the 町丁, computed here.
  const s = await staffSession(PLANNER);
  const chome = await areaItems('chome', s.cookie);
  const values = chome.filter((p) => typeof p.aging_rate === 'number').map((p) => p.aging_rate);
  assert(values.length >= 30, `the demo has ~40 町丁 with 高齢化率 (${values.length})`);
  const expected = quantileBreaks(values, classes);
  assertEqual(drawnBreaks.length, expected.length, 'as many breaks as quantiles');
  drawnBreaks.forEach((b, i) => assert(Math.abs(b - expected[i]) < 1e-9, `break ${i}: ${b} vs ${expected[i]}`));
  const legend = await page.$$eval('#p-legend li[data-class]', (ls) =>
    ls.map((l) => ({ lo: Number(l.dataset.lo), hi: Number(l.dataset.hi), n: Number(l.dataset.count), text: l.textContent })),
  );
  assertEqual(legend.length, classes, 'a legend row per class');
  const bounds = [Math.min(...values), ...expected, Math.max(...values)];
  legend.forEach((row, i) => {
    assert(Math.abs(row.lo - bounds[i]) < 1e-9 && Math.abs(row.hi - bounds[i + 1]) < 1e-9, `class ${i} bounds ${row.lo}–${row.hi}`);
    assert(row.text.includes(pct(bounds[i])) && row.text.includes(pct(bounds[i + 1])), `class ${i} in %: ${row.text}`);
    const n = values.filter((v) => v >= bounds[i] && (i === classes - 1 ? v <= bounds[i + 1] : v < bounds[i + 1])).length;
    assertEqual(row.n, n, `class ${i} count`);
  });
  assert((await page.textContent('#p-legend-title')).includes('%'), 'the unit is in the legend');
  assert((await page.textContent('#p-legend-note')).includes('分位'), 'the legend says quantiles');

  // The ranked table: highest first.
  const top = chome.filter((p) => typeof p.aging_rate === 'number').sort((a, b) => b.aging_rate - a.aging_rate)[0];
  const firstRow = await page.$eval('#p-rank tbody tr', (tr) => ({ id: tr.dataset.id, text: tr.textContent }));
  assertEqual(firstRow.id, top.id, 'the first row is the highest 高齢化率');
  assert(firstRow.text.includes(top.name) && firstRow.text.includes(pct(top.aging_rate)), `first row: ${firstRow.text}`);

  // A click on the map → the area's profile with its 高齢化率 as the API gives it.
  const target = chome.find((p) => typeof p.aging_rate === 'number' && p.id !== STAFF_FIGURE.approximate && p.id !== top.id) ?? top;
  await clickMapAt(page, [target.label_lon, target.label_lat]);
  await page.waitForSelector('#p-profile:not([hidden])');
  const clicked = await page.getAttribute('#p-profile', 'data-id');
  const shown = chome.find((p) => p.id === clicked);
  assert(shown, `the profile is of a 町丁 (${clicked})`);
  assertEqual(clicked, target.id, 'the clicked 町丁');
  assertEqual((await page.textContent('#p-profile-name')).trim(), target.name, 'the profile names the area');
  assertEqual(await profileRow(page, 'aging_rate'), pct(target.aging_rate), 'its 高齢化率 as the API has it');
  assertEqual(await profileRow(page, 'population'), target.population.toLocaleString('ja-JP'), 'its population');
  assert((await profileRow(page, 'hikikomori_estimate')).includes('推計値'), 'the estimate is labelled 推計値');
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.622, 35.097], zoom: 13 }));
  await mapIdle(page);
  await screenshot(page, 'desktop-planner');

  // Keyboard: the table's area names are buttons; the profile takes the focus.
  await page.focus(`#p-rank button[data-id="${STAFF_FIGURE.suppressed}"]`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => document.getElementById('p-profile')?.dataset.id === id, STAFF_FIGURE.suppressed);
  assertEqual(await page.evaluate(() => document.activeElement.id), 'p-profile-name', 'focus on the profile');
  assertEqual(await profileRow(page, STAFF_FIGURE.key), '秘匿', 'a small cell is 秘匿, with no value');
  const into = chome.find((p) => p.id === STAFF_FIGURE.into);
  await page.click(`#p-rank button[data-id="${STAFF_FIGURE.absorbed}"]`);
  await page.waitForFunction((id) => document.getElementById('p-profile')?.dataset.id === id, STAFF_FIGURE.absorbed);
  assertEqual(await profileRow(page, STAFF_FIGURE.key), `合算（${into.name}に含む）`, 'a merged figure says where it is');
  await page.click(`#p-rank button[data-id="${STAFF_FIGURE.approximate}"]`);
  await page.waitForFunction((id) => document.getElementById('p-profile')?.dataset.id === id, STAFF_FIGURE.approximate);
  assert(await page.isVisible('#p-profile .approx-note'), 'an approximate boundary is noted');

  // The municipality figure: the areas without a value are hatched and counted in the legend.
  await choose(page, 'chome', STAFF_FIGURE.key);
  const nodata = await page.$eval('#p-legend li.nodata', (l) => ({ n: Number(l.dataset.count), text: l.textContent }));
  // The small cell, the one merged into its neighbour, and whatever the server's secondary
  // suppression added: the API says which.
  const without = chome.filter((p) => typeof p[STAFF_FIGURE.key] !== 'number').map((p) => p.id).sort();
  assert(without.includes(STAFF_FIGURE.suppressed) && without.includes(STAFF_FIGURE.absorbed), `秘匿 and 合算元 in the API: ${without}`);
  assertEqual(nodata.n, without.length, 'the 町丁 without a value, counted');
  assert(nodata.text.includes('秘匿') && nodata.text.includes('合算'), `the legend says why: ${nodata.text}`);
  assertEqual(Number(await page.getAttribute('#p-legend li.approx', 'data-count')), 1, 'one approximate boundary');
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.622, 35.097], zoom: 12.5 }));
  await mapIdle(page);
  const marked = await page.evaluate(() => ({
    hatched: [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-nodata'] }).map((f) => f.properties.id))],
    dashed: [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-approx'] }).map((f) => f.properties.id))],
  }));
  assertEqual(marked.hatched.sort(), without, 'the hatch is on those');
  assertEqual(marked.dashed, [STAFF_FIGURE.approximate], 'the dashed outline is on the approximate one');
  await screenshot(page, 'desktop-planner-staff-figure');

  // Fixed breaks, edited: 5 classes from 4 values.
  await choose(page, 'chome', 'aging_rate');
  await page.selectOption('#p-method', 'fixed');
  await page.fill('#p-breaks', '30, 35, 40, 45');
  await page.click('#p-breaks-apply');
  await page.waitForFunction(() => document.body.dataset.plannerDrawn?.endsWith('|0.3,0.35,0.4,0.45'));
  const fixed = await page.$$eval('#p-legend li[data-class]', (ls) => ls.map((l) => l.textContent));
  assertEqual(fixed.length, 5, 'five fixed classes');
  assert(fixed[1].startsWith('30.0% 以上 35.0% 未満'), `fixed class bounds: ${fixed[1]}`);

  // Copy as TSV (for Excel): a header and the areas in rank order.
  await page.selectOption('#p-method', 'quantile');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.click('#p-copy');
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('コピー'));
  const tsv = await page.evaluate(() => navigator.clipboard.readText());
  const lines = tsv.trim().split('\n').map((l) => l.split('\t'));
  assertEqual(lines[0].slice(0, 4), ['順位', '地域', 'コード', '高齢化率（%）'], 'TSV header');
  assertEqual(lines[1].slice(0, 4), ['1', top.name, top.code, (top.aging_rate * 100).toFixed(1)], 'TSV first row');
  assertEqual(lines.length - 1, chome.length, 'a TSV row per 町丁');

  await axe(page, 'planner');

  // The gap layer hook (the panel's answer goes through it): a "who is left out" layer from
  // areas with target / covered / uncovered, drawing only the areas with someone left out.
  const staffChome = (await (await fetch(`${base}/ogc/collections/areas/items?f=json&limit=1000`, { headers: { Cookie: s.cookie } })).json())
    .features.filter((f) => f.properties.kind === 'chome');
  const gapFc = {
    type: 'FeatureCollection',
    features: staffChome.map((f, i) => ({
      type: 'Feature',
      geometry: f.geometry,
      properties: { id: f.properties.id, target: 20, covered: i % 3 === 0 ? 5 : 20, uncovered: i % 3 === 0 ? 15 : 0 },
    })),
  };
  const drawnGap = await page.evaluate((fc) => window.tsunagi.planner.showGapLayer(window.tsunagi.map, fc), gapFc);
  const leftOut = gapFc.features.filter((f) => f.properties.uncovered > 0).map((f) => f.properties.id).sort();
  assertEqual(drawnGap, leftOut.length, 'the hook draws the areas with people left out');
  await mapIdle(page);
  const gapIds = await page.evaluate(() =>
    [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['gap-uncovered-fill'] }).map((f) => f.properties.id))].sort(),
  );
  assert(gapIds.length > 0 && gapIds.every((id) => leftOut.includes(id)), `only left-out areas drawn: ${gapIds}`);
  await page.evaluate(() => window.tsunagi.planner.showGapLayer(window.tsunagi.map, null));
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the public sees the planner page with the public figures only', async () => {
  const tj = await (await fetch(`${base}/tiles/areas.json`)).json();
  const fields = Object.keys(tj.vector_layers[0].fields);
  assert(fields.includes('aging_rate'), 'the public TileJSON has 高齢化率');
  assert(!fields.some((f) => f.startsWith(STAFF_FIGURE.key)), `no staff-only field for the public: ${fields}`);
  const s = await staffSession(PLANNER);
  const staff = await (await fetch(`${base}/tiles/areas.json`, { headers: { Cookie: s.cookie } })).json();
  assert(STAFF_FIGURE.key in staff.vector_layers[0].fields, "the planner's TileJSON has it");

  const { page, errors } = await openPage('?map=13/35.097/133.622#/planner');
  await page.waitForSelector('#planner-form');
  await page.waitForFunction(() => document.body.dataset.plannerDrawn);
  const options = await page.$$eval('#p-key option', (os) => os.map((o) => o.value));
  assert(options.includes('aging_rate'), 'the public may map 高齢化率');
  assert(!options.includes(STAFF_FIGURE.key), 'but not the municipality figure');
  await choose(page, 'chome', 'aging_rate');
  const pub = await areaItems('chome');
  const values = pub.map((p) => p.aging_rate).filter((v) => typeof v === 'number');
  const k = await page.$$eval('#p-legend li[data-class]', (ls) => ls.length);
  const his = await page.$$eval('#p-legend li[data-class]', (ls) => ls.map((l) => Number(l.dataset.hi)));
  quantileBreaks(values, k).forEach((b, i) => assert(Math.abs(his[i] - b) < 1e-9, `public break ${i}`));
  await page.click(`#p-rank button[data-id="${STAFF_FIGURE.suppressed}"]`);
  await page.waitForSelector('#p-profile:not([hidden])');
  assertEqual(await profileRow(page, STAFF_FIGURE.key), null, 'no row for a figure the public may not see');
  assert((await profileRow(page, 'aging_rate')) !== null, 'the public figures are there');
  const drawnKeys = await page.evaluate(() =>
    [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-fill'] }).flatMap((f) => Object.keys(f.properties)))],
  );
  assert(!drawnKeys.some((f) => f.startsWith('care_certified')), `the public tiles hold no staff figure: ${drawnKeys}`);
  await screenshot(page, 'desktop-planner-public');
  // In English, keeping the choices; and on a phone, without horizontal scrolling.
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('planner-title')?.textContent === 'Area indicators (choropleth)');
  assertEqual(await page.$eval('#p-key', (el) => el.selectedOptions[0].textContent), 'Aging rate (65+)', 'the indicator in English');
  assert((await page.textContent('#p-legend-title')).startsWith('Legend: Aging rate'), 'the legend in English');
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.getElementById('planner-title')?.textContent === '地域の指標（階級区分図）');
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 375);
  await page.screenshot({ path: path.join(artifacts, 'phone-planner-full.png'), fullPage: true });
  await axe(page, 'planner-phone');
  // Leaving the page takes its layers away and gives the resources back.
  await page.click('#planner-close');
  await page.waitForFunction(() => document.body.dataset.route === 'map');
  assertEqual(await page.evaluate(() => !!window.tsunagi.map.getLayer('planner-fill')), false, 'no choropleth on the map page');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

// ---- the gap analysis panel of the planner page (空白地域の分析) ----

/** The job as the API gives it to the same session (cookie). */
async function gapApi(id, cookie, query = '') {
  const r = await fetch(`${base}/api/gap/jobs/${id}${query}`, { headers: { Cookie: cookie } });
  return r;
}

/** Copies the page's session cookie, so that the test reads the job as the page's user. */
async function pageCookie() {
  const c = (await browser.context.cookies(base)).map((k) => `${k.name}=${k.value}`).join('; ');
  assert(c, 'the page has a session cookie');
  return c;
}

/** Submits the panel's form and waits until the job has been drawn; returns its id. */
async function runGap(page) {
  const before = await page.evaluate(() => document.body.dataset.gapDone ?? '');
  await page.click('#gap-submit');
  // Ends when the answer is drawn, or as soon as the page shows why it will not be (a refusal of
  // the form or the server, a failed job): the test then fails saying what the page showed.
  const ended = await page.waitForFunction(
    (prev) => {
      const b = document.body.dataset;
      if (b.gapDone && b.gapDone !== prev) return 'done';
      const shown = (id) => {
        const el = document.getElementById(id);
        return el && !el.hidden && el.textContent.trim() ? el.textContent.trim() : '';
      };
      const why = shown('gap-form-error') || shown('gap-error');
      return why ? `refused: ${why}` : false;
    },
    before,
    { timeout: 30000 },
  ).then((h) => h.jsonValue(), async (e) => {
    const state = await page.evaluate(() => ({
      job: document.body.dataset.gapJob ?? null,
      status: document.body.dataset.gapStatus ?? null,
      stage: document.getElementById('gap-stage')?.textContent ?? null,
      route: document.body.dataset.route ?? null,
    }));
    const job = state.job ? await (await gapApi(state.job, await pageCookie())).text() : 'no job was started';
    throw new Error(`${e.message}; the page: ${JSON.stringify(state)}; ${traffic(page)}; the job: ${job.slice(0, 300)}`);
  });
  assertEqual(ended, 'done', 'the analysis was drawn');
  return page.evaluate(() => document.body.dataset.gapDone);
}

const num = (v) => Math.round(v).toLocaleString('ja-JP');

suite.test('a planner runs a coverage and a siting analysis from the planner page; the public has no panel', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await loginAs(page, PLANNER);
  await openPlanner(page);
  assert(await page.isVisible('#gap-section'), 'the 空白地域の分析 panel for a planner');
  assertEqual((await page.textContent('#gap-title')).trim(), '空白地域の分析', 'its title');
  // Every control has a label; the kinds by their Japanese names.
  const kinds = await page.$$eval('input[name="gap-kind"]', (is) => is.map((i) => [i.value, i.parentElement.textContent.trim()]));
  assert(kinds.some(([v, l]) => v === 'kayoi_no_ba' && l === '通いの場'), `通いの場 offered: ${JSON.stringify(kinds)}`);
  const targets = await page.$$eval('#gap-target option', (os) => os.map((o) => [o.value, o.textContent]));
  assert(targets.some(([v, l]) => v === 'aged_75' && l === '75歳以上人口'), `75歳以上人口 offered: ${JSON.stringify(targets)}`);
  assert(!targets.some(([v]) => v.endsWith('_rate') || v.endsWith('_estimate')), 'counts only');
  assertEqual(await page.inputValue('#gap-minutes'), '15', '15 minutes by default');

  // Coverage of 通いの場 for 75歳以上 within 15 minutes, chosen with the keyboard-usable controls.
  await page.selectOption('#gap-analysis', 'coverage');
  for (const [v] of kinds) await page.setChecked(`input[name="gap-kind"][value="${v}"]`, v === 'kayoi_no_ba');
  await page.selectOption('#gap-target', 'aged_75');
  await page.fill('#gap-minutes', '15');
  await page.selectOption('#gap-profile', 'standard');
  const id = await runGap(page);
  assertEqual(await page.evaluate(() => document.body.dataset.gapStatus), 'done', 'the job ended done');
  const cookie = await pageCookie();
  const jr = await gapApi(id, cookie);
  assertEqual(jr.status, 200, 'the job, read with the same session');
  const job = await jr.json();
  assertEqual(job.request.kinds, ['kayoi_no_ba'], 'the request sent: kinds');
  assertEqual(job.request.target, 'aged_75', 'the request sent: target');
  assertEqual(job.request.max_walk_min, 15, 'the request sent: minutes');
  const r = job.result;
  const tt = r.totals;
  assert(tt.target > 0 && tt.uncovered > 0, `the demo town has people left out: ${JSON.stringify(tt)}`);
  const share = `${((tt.uncovered / tt.target) * 100).toFixed(1)}%`;
  assertEqual(
    (await page.textContent('#gap-totals')).trim(),
    `75歳以上 ${num(tt.target)}人のうち ${num(tt.uncovered)}人（${share}）が徒歩15分圏外`,
    'the totals in words are the job\'s numbers',
  );
  const network = await page.textContent('#gap-network');
  assert(network.includes(r.network === 'walking' ? '徒歩距離' : '直線距離'), `walking or straight line said: ${network}`);
  // The uncovered layer: as many areas as the job's GeoJSON of the people left out.
  const gj = await (await gapApi(id, cookie, '?format=geojson&layer=uncovered')).json();
  assert(gj.features.length > 0, 'some areas with people left out');
  const layer = await page.evaluate(async () => {
    const m = window.tsunagi.map;
    const src = m.getSource('gap-uncovered');
    const data = src ? await src.getData() : null;
    return { layer: !!m.getLayer('gap-uncovered-fill'), ids: (data?.features ?? []).map((f) => f.properties.id).sort() };
  });
  assert(layer.layer, 'the uncovered layer is on the map');
  assertEqual(layer.ids.length, gj.features.length, 'the layer has as many areas as ?format=geojson&layer=uncovered');
  assertEqual(layer.ids, gj.features.map((f) => f.properties.id).sort(), 'and the same areas');
  await mapIdle(page);
  const drawnIds = await page.evaluate(() =>
    [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['gap-uncovered-fill'] }).map((f) => f.properties.id))],
  );
  const gjIds = gj.features.map((f) => f.properties.id);
  assert(drawnIds.length > 0 && drawnIds.every((x) => gjIds.includes(x)), `drawn areas are the uncovered ones: ${drawnIds}`);
  // The list: most people left out first.
  const top = [...r.areas].sort((a, b) => b.uncovered - a.uncovered)[0];
  const rows = await page.$$eval('#gap-areas tbody tr', (trs) => trs.map((tr) => ({ id: tr.dataset.id, cells: [...tr.children].map((c) => c.textContent.trim()) })));
  assertEqual(rows.length, r.areas.length, 'a row per area');
  assertEqual(rows[0].id, top.id, 'the first row is the area with the most people left out');
  assertEqual(rows[0].cells.slice(0, 3), [top.name, num(top.target), num(top.uncovered)], 'its name, target and people left out');
  assertEqual(rows[0].cells[4], top.has_place ? `あり（${top.places_inside}）` : 'なし', 'whether it has a place');
  const withNearest = r.areas.find((a) => typeof a.nearest_m === 'number');
  if (withNearest) {
    const row = rows.find((x) => x.id === withNearest.id);
    assertEqual(row.cells[3], `${num(withNearest.nearest_m)} m`, '最寄りまで in metres');
  }
  // The CSV link: 200, with a BOM for Excel.
  const href = await page.getAttribute('#gap-csv', 'href');
  assertEqual(href, `/api/gap/jobs/${id}?format=csv`, 'the CSV link');
  const csv = await page.evaluate(async (u) => {
    const res = await fetch(u, { credentials: 'same-origin' });
    const b = new Uint8Array(await res.arrayBuffer());
    const lines = new TextDecoder().decode(b.slice(3)).split('\r\n');
    return { status: res.status, head: [...b.slice(0, 3)], type: res.headers.get('content-type'), lines };
  }, href);
  assertEqual(csv.status, 200, 'the CSV downloads');
  assertEqual(csv.head, [0xef, 0xbb, 0xbf], 'the CSV starts with a UTF-8 BOM');
  // For a person in Excel: the columns' Japanese names, the keys in the row below.
  const [jaHead, keyHead] = [csv.lines[0].split(','), csv.lines[1].split(',')];
  assertEqual(jaHead.length, keyHead.length, 'one Japanese name per key');
  assert(jaHead.every((h) => !/^[A-Za-z_]+$/.test(h)), `every column named in Japanese: ${csv.lines[0]}`);
  assert(keyHead.includes('uncovered') && jaHead[keyHead.indexOf('uncovered')] === '届かない人数', `the keys below: ${csv.lines[1]}`);
  assertEqual(await page.evaluate(() => window.tsunagi.map.getLayoutProperty('planner-fill', 'visibility')), 'none', 'the choropleth fill gives way');
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.615, 35.097], zoom: 12.5 }));
  await mapIdle(page);
  await page.$eval('#gap-result', (el) => el.scrollIntoView());
  await screenshot(page, 'desktop-planner-gap-coverage');
  await axe(page, 'planner-gap');
  // On a phone: no horizontal scrolling (the table scrolls in its own box).
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 375, null, { timeout: 5000 });
  await page.$eval('#gap-result', (el) => el.scrollIntoView());
  await screenshot(page, 'phone-planner-gap');
  await page.setViewportSize({ width: 1280, height: 860 });

  // A request refused: by the form (no kind of place), and by the server (a 400 problem+json,
  // its detail shown; simulated here, as the form sends only what the server takes).
  await page.setChecked('input[name="gap-kind"][value="kayoi_no_ba"]', false);
  await page.click('#gap-submit');
  assert((await page.textContent('#gap-form-error')).includes('1つ以上'), 'no kind: the form says so');
  await page.setChecked('input[name="gap-kind"][value="kayoi_no_ba"]', true);
  await page.route('**/api/gap/jobs', (route) =>
    route.fulfill({ status: 400, contentType: 'application/problem+json', body: JSON.stringify({ status: 400, code: 'invalid_body', detail: "unknown key 'bogus'" }) }),
  );
  await page.click('#gap-submit');
  await page.waitForSelector('#gap-error:not([hidden])');
  assert((await page.textContent('#gap-error')).includes('受け付けない項目「bogus」'), 'a 400 says what was refused, in Japanese');
  await page.unroute('**/api/gap/jobs');

  // Siting: 2 new places among the 公民館・集会所.
  await page.selectOption('#gap-analysis', 'site');
  assert(await page.isVisible('#gap-site-fields'), 'the siting choices appear');
  const cands = await page.$$eval('input[name="gap-candidate"]', (is) => is.map((i) => i.value));
  for (const v of cands) await page.setChecked(`input[name="gap-candidate"][value="${v}"]`, v === 'kominkan');
  assert((await page.textContent('label:has(input[name="gap-candidate"][value="kominkan"])')).includes('公民館・集会所'), '公民館・集会所 by name');
  await page.fill('#gap-k', '2');
  const siteId = await runGap(page);
  assert(siteId !== id, 'a new job');
  const site = await (await gapApi(siteId, cookie)).json();
  assertEqual(site.request.analysis, 'site', 'a siting request');
  assertEqual(site.request.candidate_kinds, ['kominkan'], 'candidates sent');
  assertEqual(site.request.k, 2, 'k sent');
  const chosenNames = site.result.chosen.map((c) => c.name);
  assertEqual(chosenNames.length, 2, 'the job chose two');
  const markerNames = await page.$$eval('.gap-marker .label', (ls) => ls.map((l) => l.textContent));
  assertEqual(markerNames.sort(), [...chosenNames].sort(), 'two markers with the chosen names');
  const listed = await page.$$eval('#gap-chosen li', (ls) => ls.map((l) => l.dataset.id));
  assertEqual(listed, site.result.chosen.map((c) => c.id), 'the chosen venues listed');
  const st = site.result.totals;
  const totals = (await page.textContent('#gap-totals')).trim();
  assert(totals.includes(`${num(st.covered_before)}人 → ${num(st.covered_after)}人`), `covered before → after: ${totals}`);
  const solver = await page.textContent('#gap-solver');
  const solverJa = { glpk: '数理最適化（GLPK）', 'greedy+swap': '貪欲法' }[site.result.solver];
  assert(solverJa && solver.includes(solverJa) && solver.includes(site.result.optimal ? '最適解' : '近似解'), `solver by its Japanese name, and optimality: ${solver}`);
  assert(!/[A-Za-z]{3,}/.test(solver.replace('GLPK', '')), `no English: ${solver}`);
  // Each chosen site's own gain; a site that adds no one, and one that hosts the kind, are flagged.
  const perSite = await page.$$eval('#gap-chosen li', (ls) => ls.map((l) => ({
    gain: l.querySelector('.site-gain')?.textContent ?? '', none: !!l.querySelector('.flag-none'), hosts: !!l.querySelector('.flag-hosts') })));
  site.result.chosen.forEach((c, i) => {
    assert(typeof c.adds === 'number' && typeof c.only_it === 'number', `the server gives ${c.name}'s gain`);
    assert(perSite[i].gain.includes(`新たに届く ${num(c.adds)}人`) && perSite[i].gain.includes(`だけが届く ${num(c.only_it)}人`), `${c.name}: its gain (${perSite[i].gain})`);
    assertEqual(perSite[i].none, c.only_it <= 0, `${c.name}: flagged when it adds no one`);
    assertEqual(perSite[i].hosts, !!c.already_hosts, `${c.name}: flagged when it already hosts the kind`);
  });
  // On the demo (k = 2 among 公民館): one site adds no one and already hosts a 通いの場.
  assert(site.result.chosen.some((c) => c.only_it === 0 && c.already_hosts), 'the demo\'s needless site is found');
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.61, 35.1], zoom: 13.5 }));
  await mapIdle(page);
  await page.$eval('#gap-result', (el) => el.scrollIntoView());
  await screenshot(page, 'desktop-planner-gap-site');

  // Leaving the page takes the layer and the markers away.
  await page.click('#planner-close');
  await page.waitForFunction(() => document.body.dataset.route === 'map');
  const left = await page.evaluate(() => ({
    layer: !!window.tsunagi.map.getLayer('gap-uncovered-fill'),
    source: !!window.tsunagi.map.getSource('gap-uncovered'),
    markers: document.querySelectorAll('.gap-marker').length,
  }));
  assertEqual(left, { layer: false, source: false, markers: 0 }, 'nothing of the analysis left on the map page');
  // Coming back: the choropleth is drawn again, without the old answer.
  await openPlanner(page);
  assertEqual(await page.evaluate(() => window.tsunagi.map.getLayoutProperty('planner-fill', 'visibility') ?? 'visible'), 'visible', 'the choropleth is back');
  assertEqual(await page.$('#gap-result:not([hidden])'), null, 'no old answer');
  assertEqual(errors, [], 'no page errors');
  await page.close();

  // The public: no panel (its requests would get 401).
  const pub = await openPage('?map=13/35.097/133.622#/planner');
  await pub.page.waitForSelector('#planner-form');
  await pub.page.waitForFunction(() => document.body.dataset.plannerDrawn);
  assertEqual(await pub.page.$('#gap-section'), null, 'no gap panel for the public');
  assertEqual((await fetch(`${base}/api/gap/jobs/${id}`)).status, 401, 'and the API says 401 to the public');
  await pub.page.close();
});

suite.test('the gap panel shows a running job\'s stage and progress, and cancels it with the keyboard', async () => {
  // The demo town's analyses end at once, so the job is played by the test: running at 40 %
  // until the page sends DELETE, then cancelled.
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await loginAs(page, PLANNER);
  await openPlanner(page);
  let deleted = null;
  let polls = 0;
  const job = (status, progress) => ({ id: 'test-job', status, progress, stage: status === 'running' ? 'network' : status, links: [] });
  await page.route('**/api/gap/jobs', (route) =>
    route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify(job('queued', 0)) }),
  );
  await page.route('**/api/gap/jobs/test-job*', (route) => {
    const req = route.request();
    if (req.method() === 'DELETE') {
      deleted = { csrf: req.headers()['x-csrf-token'] ?? null };
      return route.fulfill({ status: 204, body: '' });
    }
    polls++;
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(deleted ? job('cancelled', 0.4) : job('running', 0.4)) });
  });
  await page.click('#gap-submit');
  await page.waitForSelector('#gap-progress-box:not([hidden])');
  await page.waitForFunction(() => document.getElementById('gap-progress').value === 0.4);
  assert((await page.textContent('#gap-stage')).includes('計算中'), `the stage in words: ${await page.textContent('#gap-stage')}`);
  assert(await page.isDisabled('#gap-submit'), 'no second run while one is running');
  const p0 = polls;
  await page.waitForTimeout(1200);
  assert(polls > p0, `polled again (${p0} → ${polls})`);
  await page.focus('#gap-cancel');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.gapStatus === 'cancelled', null, { timeout: 5000 });
  assert(deleted, 'DELETE was sent');
  assert(deleted.csrf, 'with the CSRF token');
  assert(await page.isHidden('#gap-progress-box'), 'the progress goes away');
  assert((await page.textContent('#gap-error')).includes('中止'), 'the page says it was cancelled');
  assert(!(await page.isDisabled('#gap-submit')), 'a new run may start');
  // A server that cannot be reached: said as such.
  await page.unroute('**/api/gap/jobs');
  await page.route('**/api/gap/jobs', (route) => route.abort('connectionrefused'));
  await page.click('#gap-submit');
  await page.waitForFunction(() => document.getElementById('gap-error').textContent.includes('接続できません'));
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('an analysis that has already ended when the server accepts it is drawn all the same', async () => {
  // On a busy server the runner can finish a small analysis before the 202 is written, so the
  // submission's answer says "done" — without the result, which only the job's own address gives.
  // Played here by holding the real 202 back until the real job has ended.
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await loginAs(page, PLANNER);
  await openPlanner(page);
  const cookie = await pageCookie();
  let accepted = null;
  await page.route('**/api/gap/jobs', async (route) => {
    const real = await route.fetch();
    const job = await real.json();
    for (let i = 0; i < 100; i++) {
      const now = await (await gapApi(job.id, cookie)).json();
      if (now.status === 'done') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    accepted = { ...job, status: 'done', progress: 1, stage: 'done' };
    assert(!('result' in accepted), 'the 202 carries no result');
    await route.fulfill({ response: real, json: accepted });
  });
  await page.selectOption('#gap-analysis', 'coverage');
  const id = await runGap(page);
  assertEqual(id, accepted.id, 'the accepted job is the one drawn');
  const real = await (await gapApi(id, cookie)).json();
  assert((await page.textContent('#gap-totals')).includes(num(real.result.totals.target)), 'its totals are shown');
  assertEqual(await page.$$eval('#gap-areas tbody tr', (rs) => rs.length), real.result.areas.length, 'a row per area');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

// The offline basemap: a second server whose demo town has one (built from its generated OSM by
// tilemaker), configured `basemap = remote`: the map asks GSI first, every outside host fails,
// and the page draws the server's own basemap instead — streets, the river, Japanese labels.
suite.test('with every outside host failing, the map falls back to the server\'s own basemap', async () => {
  if (!hasTilemaker()) return;
  const local = await startServer(tsunagi, dist, { basemap: 'remote' });
  const page = await browser.context.newPage();
  try {
    const external = [];
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => {
      external.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const basemapTiles = [];
    page.on('response', (r) => {
      if (/\/tiles\/basemap\/\d+\/\d+\/\d+\.mvt/.test(r.url())) basemapTiles.push(r.status());
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The station's neighbourhood, close enough for street names.
    const meta = await (await fetch(`${local.url}/api/meta`)).json();
    assertEqual(meta.basemap?.use, 'fallback', '/api/meta offers the local basemap as the fallback');
    const [w, s2, e, n] = meta.extent;
    await page.goto(`${local.url}/#`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    await page.waitForFunction(() => window.tsunagi?.map?.getLayer('bm-road'), null, { timeout: 30000 });
    assert(external.some((u) => u.includes('cyberjapandata.gsi.go.jp')), 'GSI was asked for first (and failed)');
    assert(external.every((u) => u.includes('cyberjapandata.gsi.go.jp')), `nothing else external: ${external.join(' ')}`);
    await page.evaluate(([lon, lat]) => window.tsunagi.map.jumpTo({ center: [lon, lat], zoom: 15.5 }),
      [(w + e) / 2, (s2 + n) / 2]);
    await mapIdle(page);
    assert(basemapTiles.includes(200), `basemap tiles were fetched (${basemapTiles.join(',')})`);
    assert((await page.textContent('#status')).includes('このサーバーの背景地図'), 'the page says it switched basemaps');
    const drawn = await page.evaluate(() => {
      const m = window.tsunagi.map;
      const roads = m.queryRenderedFeatures({ layers: ['bm-road'] });
      const labels = m.queryRenderedFeatures({ layers: ['bm-road-name', 'bm-place', 'bm-station'] });
      // Pixels on the streets (the middle of drawn road segments) against the background.
      const gl = m.painter.context.gl;
      const ratio = m.getPixelRatio();
      const h = gl.drawingBufferHeight;
      const bg = [0xf2, 0xf1, 0xec];
      let onRoad = 0;
      let sampled = 0;
      for (const f of roads.slice(0, 40)) {
        const c = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0];
        if (!c || c.length < 2) continue;
        const p = m.project([(c[0][0] + c[1][0]) / 2, (c[0][1] + c[1][1]) / 2]);
        const px = new Uint8Array(4);
        gl.readPixels(Math.round(p.x * ratio), Math.round(h - p.y * ratio), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
        sampled++;
        if (Math.max(...[0, 1, 2].map((i) => Math.abs(px[i] - bg[i]))) > 6) onRoad++;
      }
      return { roads: roads.length, labels: labels.map((f) => f.properties['name:latin']), onRoad, sampled };
    });
    await screenshot(page, 'offline-basemap');
    assert(drawn.roads > 20, `streets are drawn (${drawn.roads})`);
    assert(drawn.sampled > 5 && drawn.onRoad >= drawn.sampled * 0.7,
      `pixels on the streets differ from the background (${drawn.onRoad} of ${drawn.sampled})`);
    assert(drawn.labels.some((t) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(t ?? '')),
      `a Japanese label is drawn (${drawn.labels.slice(0, 8).join(', ')})`);

    // The person's handout on this basemap: the nearest station marked and named (the basemap's
    // POI つなぎ駅, from the demo's OSM), the streets named near the place, streets drawn around
    // the route. The place: of the candidates, the one nearest the station.
    const STATION = [133.6223, 35.1019];
    await openMatchPage(page);
    await page.click('#m-pick');
    await clickMapAt(page, MATCH_POINT);
    await page.fill('#m-walk', '20');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/match') && r.request().method() === 'POST');
    await page.click('#m-submit');
    const answer = await (await answered).json();
    await page.waitForSelector('#m-candidates li[data-id]');
    const routed = answer.candidates.filter((c) => c.route && c.lon != null);
    assert(routed.length > 0, 'candidates with a walking route');
    const place = routed.reduce((a, b) => (metres([a.lon, a.lat], STATION) <= metres([b.lon, b.lat], STATION) ? a : b));
    await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
    await page.click(`#m-candidates li[data-id="${place.id}"] .item`);
    await page.click(`#m-candidates li[data-id="${place.id}"] .handout`);
    await page.click('#handout-go'); // nothing typed: lines to write on
    await page.waitForFunction(() => window.__printed === 1, null, { timeout: 30000 });
    const stop = (await page.getAttribute('#print-sheet', 'data-stop')) ?? '';
    assert(stop.startsWith('つなぎ駅|'), `the nearest station is marked (${stop})`);
    const [slon, slat] = stop.split('|')[1].split(',').map(Number);
    assert(metres([slon, slat], STATION) < 30, 'at the station');
    const sheetText = await page.textContent('#print-sheet');
    assert(sheetText.includes('最寄りの駅・バス停：つなぎ駅'), 'and named on the sheet');
    const streetsNamed = ((await page.getAttribute('#print-sheet', 'data-streets')) ?? '').split('|').filter(Boolean);
    assert(streetsNamed.length > 0, 'street names near the place are read from the map');
    assert(sheetText.includes(`近くの道：${streetsNamed[0]}`), `and printed (${streetsNamed.join('、')})`);
    const casing = await styleLineColor(local.url, 'bm-road-casing');
    const px = await handoutMapPixels(page, casing);
    assert(px.routed, 'the route is drawn on the handout');
    assert(px.near > 400, `streets are drawn around the route (${px.near} pixels of ${casing})`);
    assert(px.dark > 30, `the stop's label is drawn on the map (${px.dark} dark pixels)`);
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(artifacts, 'print-handout-offline-basemap.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    assert(external.every((u) => u.includes('cyberjapandata.gsi.go.jp')), `nothing else external: ${external.join(' ')}`);
    assertEqual(errors, [], 'no page errors');
  } finally {
    await page.close();
    await local.stop();
  }
});

// ---- 紹介の記録, Japanese errors, the editor's defaults, the shared link (issue 20) ----

/** Text a Japanese page should not show: an English word of three letters or more. */
const ENGLISH_WORD = /[A-Za-z]{3,}/;

/** A referral recorded through the API (as the matching page does), with a follow-up date. */
async function recordReferral(s, followUp) {
  const places = (await apiJson('/api/resources?kind=placement_site&limit=200', { headers: { Cookie: s.cookie } })).body.features;
  const place = places.find((f) => f.properties.offer?.slots_open > 0 && f.properties.status === 'active');
  assert(place, 'a placement with an open slot');
  const areas = (await apiJson('/ogc/collections/areas/items?limit=1000')).body.features.filter((f) => f.properties.kind === 'chome');
  const r = await fetch(`${base}/api/referrals`, {
    method: 'POST',
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ resource_id: place.id, legal_basis: 'shien_kaigi', home_area: areas[0].id, age_band: '40s', needs: ['short_hours'], follow_up_due: followUp }),
  });
  assertEqual(r.status, 201, 'POST /api/referrals');
  return { referral: await r.json(), place, area: areas[0] };
}

async function casesReady(page, previous) {
  await page.waitForFunction((prev) => (document.body.dataset.casesReady ?? '') !== prev, previous, { timeout: 15000 });
  return page.evaluate(() => document.body.dataset.casesReady);
}

suite.test('a matcher follows a referral in 紹介の記録: 提案 → 本人同意 → 受入れ先打診, overdue, slots, copy', async () => {
  const s = await staffSession(MATCHER);
  const { referral, place, area } = await recordReferral(s, '2026-01-15');
  const id = referral.case_id;
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await login(page, MATCHER);
  await page.waitForSelector('#cases-open:not([hidden])');
  let seq = await page.evaluate(() => document.body.dataset.casesReady ?? '');
  await page.click('#cases-open');
  seq = await casesReady(page, seq);
  assertEqual(await page.evaluate(() => document.body.dataset.route), 'cases', 'the cases page');
  assert(!(await page.isVisible('#filters')), 'it takes the side panel');
  const card = `li.case[data-case="${id}"]`;
  // By status: the new case is under 提案, with the steps the server allows next as buttons.
  assert(await page.isVisible(`section.case-group[data-status="proposed"] ${card}`), 'under 提案');
  const buttons = await page.$$eval(`${card} button.next`, (bs) => bs.map((b) => b.dataset.to));
  assertEqual(buttons.sort(), [...referral.allowed_next].sort(), 'a button per allowed next step');
  assert((await page.textContent(`${card} button.next[data-to="consented"]`)).includes('本人同意'), 'labelled in Japanese');
  // Overdue (the server's list), with its date in Japanese; the placement's slots and figures.
  assert(await page.isVisible(`${card} .overdue-badge`), 'the overdue badge');
  assert((await page.textContent('#cases-overdue')).includes(place.properties.name), 'in the overdue list');
  assert((await page.textContent(`${card} .case-follow`)).includes('2026年1月15日'), 'the follow-up date');
  const slots = await page.textContent(`${card} .case-placement`);
  assert(slots.includes(`空き枠 ${place.properties.offer.slots_open}`), `the open slots: ${slots}`);
  assert(slots.includes('5件以上'), `the figures, hidden below k = 5: ${slots}`);
  assert((await page.textContent(`${card} .case-meta`)).includes(area.properties.name), 'the 町丁 by name');
  await axe(page, 'cases');
  await screenshot(page, 'desktop-cases');

  // The case id copied.
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.click(`${card} button.copy`);
  await page.waitForFunction(() => document.getElementById('status').textContent.includes('コピーしました'));
  assertEqual(await page.evaluate(() => navigator.clipboard.readText()), id, 'the case id on the clipboard');

  // 提案 → 本人同意 → 受入れ先打診, each a click, each on the server.
  for (const [to, label] of [['consented', '本人同意'], ['host_asked', '受入れ先打診']]) {
    await page.click(`${card} button.next[data-to="${to}"]`);
    seq = await casesReady(page, seq);
    const stored = await apiJson(`/api/referrals/${id}`, { headers: { Cookie: s.cookie } });
    assertEqual(stored.body.status, to, `the server has ${to}`);
    assert(await page.isVisible(`section.case-group[data-status="${to}"] ${card}`), `shown under ${label}`);
    assert((await page.textContent('#status')).includes(label), 'the step announced');
  }
  assert(await page.isVisible(`${card} .overdue-badge`), 'still overdue');
  // A decline needs a reason: said in Japanese before anything is sent.
  await page.click(`${card} button.next[data-to="declined_by_host"]`);
  assert((await page.textContent(`${card} .case-error`)).includes('理由'), 'a reason is asked for');

  // A step someone else took meanwhile: the server refuses (409), said in Japanese.
  const other = await fetch(`${base}/api/referrals/${id}/transitions`, {
    method: 'POST',
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: 'declined_by_person', reason: 'other' }),
  });
  assertEqual(other.status, 200, 'declined elsewhere');
  await page.click(`${card} button.next[data-to="visit"]`);
  await page.waitForFunction((c) => document.querySelector(`${c} .case-error`).textContent !== '', card);
  const said = await page.textContent(`${card} .case-error`);
  assert(said.includes('進めません') && !ENGLISH_WORD.test(said), `the refusal in Japanese: ${said}`);
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

async function freshReady(page, previous) {
  await page.waitForFunction((prev) => (document.body.dataset.freshReady ?? '') !== prev, previous, { timeout: 15000 });
  return page.evaluate(() => document.body.dataset.freshReady);
}

suite.test('a coordinator\'s 確認が必要な掲載 (#/freshness): oldest first with 「最終確認 …年…月」, axe-clean, a request made from it; refused to the public', async () => {
  const s = await staffSession();
  const overdue = await apiJson('/api/confirmation/overdue?limit=50', { headers: { Cookie: s.cookie } });
  assertEqual(overdue.status, 200, 'the overdue API');
  assert(overdue.body.total > 0, 'the demo town has listings not confirmed for a year');
  const { page, errors } = await openPage();
  await page.waitForSelector('#freshness-open', { state: 'hidden' });
  await login(page);
  await page.waitForSelector('#freshness-open:not([hidden])');
  let seq = await page.evaluate(() => document.body.dataset.freshReady ?? '');
  await page.click('#freshness-open');
  seq = await freshReady(page, seq);
  assertEqual(await page.evaluate(() => document.body.dataset.route), 'freshness', 'the page is open');
  const ids = await page.$$eval('li.fresh-item', (els) => els.map((e) => e.dataset.id));
  assertEqual(ids, overdue.body.listings.map((l) => l.id), 'the listings of the API, oldest first');
  const first = overdue.body.listings[0];
  const meta = await page.textContent(`li.fresh-item[data-id="${first.id}"] .fresh-meta`);
  const [y, m] = first.last_confirmed.split('-');
  assert(meta.includes(first.verified_at ? `最終確認 ${y}年${Number(m)}月` : '未確認'), `the month in Japanese: ${meta}`);
  assert((await page.textContent('#fresh-review')).includes('件'), 'the review queue count');
  await axe(page, 'freshness');
  await screenshot(page, 'desktop-freshness');

  // One request, from its button: the code appears once, and the server has the open request.
  const item = `li.fresh-item[data-id="${first.id}"]`;
  await page.click(`${item} button.fresh-request`);
  await page.waitForSelector(`${item} .fresh-code`);
  const code = await page.textContent(`${item} .fresh-code`);
  assert(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/.test(code), `a short code: ${code}`);
  await page.waitForFunction((name) => document.getElementById('status').textContent.includes(name), first.name);
  const after = await apiJson('/api/confirmation/overdue?limit=50', { headers: { Cookie: s.cookie } });
  assert(after.body.open_requests.some((r) => r.resource_id === first.id), 'the server holds the open request');
  await axe(page, 'freshness-issued');
  assertEqual(errors, [], 'no page errors');
  await page.close();

  // The public: no link, and the address refuses in words.
  const pub = await openPage('#/freshness');
  await pub.page.waitForSelector('#match-denied:not([hidden])');
  assert((await pub.page.textContent('#match-denied')).includes('確認が必要な掲載'), 'refused with the page\'s notice');
  assert(!(await pub.page.isVisible('#freshness')), 'nothing of the page');
  const refused = await fetch(`${base}/api/confirmation/overdue`);
  assertEqual(refused.status, 401, 'the API refuses the public');
  await pub.page.close();
});

suite.test('the server\'s errors and the map\'s controls reach the Japanese page in Japanese', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  // MapLibre's controls, read by screen readers.
  assertEqual(await page.getAttribute('.maplibregl-ctrl-zoom-in', 'aria-label'), '拡大', 'zoom in');
  assertEqual(await page.getAttribute('.maplibregl-ctrl-zoom-out', 'aria-label'), '縮小', 'zoom out');
  assertEqual(await page.getAttribute('.maplibregl-canvas', 'aria-label'), '地図', 'the map canvas');
  // A wrong password (login_failed).
  await page.click('#login-open');
  await page.fill('#login-name', COORDINATOR.name);
  await page.fill('#login-password', 'not-the-password');
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('login-error').textContent !== '');
  const refused = await page.textContent('#login-error');
  assert(refused.includes('パスワードが違います') && !ENGLISH_WORD.test(refused), `login error in Japanese: ${refused}`);
  await page.click('#login-cancel');
  await login(page);
  // A schedule the server cannot read (invalid_body naming schedules[0]): the field by its label.
  await page.click('#new-resource');
  await page.waitForSelector('#editor-form');
  await page.fill('#e-name', '試験の場所（架空）');
  await page.fill('#e-address', 'つなぎ町栄町3-5');
  await page.click('#e-geocode');
  await page.waitForSelector('#e-geocode-result[data-match="exact"]');
  await page.fill('#e-schedules', 'sometimes');
  await page.click('#e-save');
  await page.waitForFunction(() => document.querySelector('#e-schedules-error')?.textContent !== '');
  const sched = await page.textContent('#e-schedules-error');
  assert(sched.includes('開催日時') && sched.includes('「sometimes」'), `the field and the value: ${sched}`);
  assert(!ENGLISH_WORD.test(sched.replace('sometimes', '')), `nothing else in English: ${sched}`);
  // The one status line says the error, not an earlier 「保存しました」.
  assert(!(await page.textContent('#status')).includes('保存しました'), 'no stale saved message');
  assertEqual(await page.textContent('#status'), sched, 'the status says the error');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});


suite.test('the editor: 必須 marks, 個人宅 and consent fields, a new place starts 内部のみ', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await login(page);
  await page.click('#new-resource');
  await page.waitForSelector('#editor-form');
  assertEqual(await page.inputValue('#e-publish'), 'internal', 'the most private level by default');
  const required = await page.$$eval('#editor-form .required', (els) => els.map((e) => e.closest('.field').dataset.field));
  assertEqual(required.sort(), ['kind', 'lon', 'name', 'publish'], '必須 on name, kind, publish level and position');
  assert(await page.$('#e-venue option[value="private_home"]'), 'a 個人宅 choice');
  assert((await page.textContent('label:has(#e-contact_public)')).includes('連絡先の公開に同意'), 'the consent box');
  await axe(page, 'editor-new');
  const outside = await page.evaluate(() => {
    const form = document.getElementById('editor-form').getBoundingClientRect();
    return [...document.querySelectorAll('#editor-form input, #editor-form select, #editor-form textarea')]
      .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > form.right + 1)
      .map((e) => e.id);
  });
  assertEqual(outside, [], 'every field of the editor stays inside its panel');
  // Saved with the defaults: stored as internal, with what was entered.
  await page.fill('#e-name', '既定の公開範囲の試験（架空）');
  await page.selectOption('#e-venue', 'private_home');
  await page.fill('#e-capacity', '12');
  await page.fill('#e-address', 'つなぎ町栄町3-5');
  await page.click('#e-geocode');
  await page.waitForSelector('#e-geocode-result[data-match="exact"]');
  await page.click('#e-save');
  await page.waitForSelector('#detail:not([hidden]) #detail-name');
  const id = new URL(page.url()).searchParams.get('sel');
  const s = await staffSession();
  const stored = (await apiJson(`/api/resources/${id}`, { headers: { Cookie: s.cookie } })).body.properties;
  assertEqual([stored.publish, stored.venue, stored.capacity, stored.contact_public], ['internal', 'private_home', 12, null], 'stored as entered');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the shared link: no sel= after a cancelled editor; list numbers do not follow the map centre', async () => {
  const { page, errors } = await openPage('?map=14/35.097/133.622');
  const before = await page.$$eval('#list li[data-id]', (lis) => lis.map((li) => li.dataset.id));
  // Panning does not renumber the list.
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.64, 35.11] }));
  await mapIdle(page);
  await page.waitForTimeout(600); // longer than the page's old re-sort delay after a move
  assertEqual(await page.$$eval('#list li[data-id]', (lis) => lis.map((li) => li.dataset.id)), before, 'the same numbers after a pan');
  // Someone opening the link sees the same numbers, whatever the centre.
  const other = await openPage(`?map=15/35.09/133.60`);
  assertEqual(await other.page.$$eval('#list li[data-id]', (lis) => lis.map((li) => li.dataset.id)), before, 'the same numbers in another view');
  await other.page.close();

  // Detail → edit → cancel: back on the detail, the link opens it; a new place cancelled: no sel=.
  await login(page);
  await page.click('#list li:nth-child(2) button');
  await page.waitForSelector('#detail:not([hidden]) #detail-edit');
  const sel = new URL(page.url()).searchParams.get('sel');
  assert(sel, 'the detail is in the link');
  await page.click('#detail-edit');
  await page.waitForSelector('#editor-form');
  assertEqual(new URL(page.url()).searchParams.get('sel'), null, 'the editor hides the detail, and the link says so');
  await page.click('#e-cancel');
  await page.waitForSelector('#detail:not([hidden]) #detail-name');
  assertEqual(new URL(page.url()).searchParams.get('sel'), sel, 'a cancelled edit shows the detail again');
  await page.click('#new-resource');
  await page.waitForSelector('#editor-form');
  await page.click('#e-cancel');
  await page.waitForFunction(() => document.getElementById('editor').hidden);
  assert(await page.isHidden('#detail'), 'no detail shown');
  assertEqual(new URL(page.url()).searchParams.get('sel'), null, 'and none in the link');
  await page.click('#share').catch(() => {});
  assert(!page.url().includes('sel='), `the shared link: ${page.url()}`);
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('a resident on a phone: one menu, the list first in one tap, walking minutes from a place, 44 px targets, no overflow at 320 px', async () => {
  const { page, errors } = await openPage('', { viewport: { width: 375, height: 740 } });
  // The staff tools are one menu.
  assert(await page.isVisible('#menu-toggle'), 'a menu button');
  assert(!(await page.isVisible('#share')) && !(await page.isVisible('#login-open')), 'the tools folded away');
  await page.click('#menu-toggle');
  assert(await page.isVisible('#share') && await page.isVisible('#login-open'), 'the tools in the menu');
  assertEqual(await page.getAttribute('#menu-toggle', 'aria-expanded'), 'true', 'the menu says it is open');
  await page.click('#menu-toggle');
  // One tap: the list comes first, its first result within the first screen.
  await page.click('#view-list');
  const first = await page.evaluate(() => {
    window.scrollTo(0, 0);
    const r = document.querySelector('#list li .item').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, h: window.innerHeight };
  });
  assert(first.top >= 0 && first.bottom <= first.h, `the first result in the first screen (${first.top}–${first.bottom} of ${first.h})`);
  assert(!(await page.isVisible('#map')), 'the map gives way');
  // Targets of at least 44 px.
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('#main button, #main select, #main input:not([type="checkbox"]), #main label:has(> input[type="checkbox"]), header button')]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ id: e.id || e.textContent.trim().slice(0, 12), h: e.getBoundingClientRect().height }))
      .filter((e) => e.h < 43.5));
  assertEqual(small, [], 'every target at least 44 px high');
  // A place by address: the answer beside the field, the list nearest first with walking minutes.
  await page.fill('#f-place', 'つなぎ町栄町');
  const seq = await listSeq(page);
  await page.click('#f-place-go');
  await waitForList(page, seq);
  await page.waitForFunction(() => document.getElementById('f-place-result').textContent.includes('栄町'));
  await page.waitForFunction(() => {
    const r = document.getElementById('f-place-result').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  }, null, { timeout: 5000 }); // the address answer is in view
  assert((await page.textContent('#sorted')).includes('近い順'), 'nearest first');
  const meta = await page.textContent('#list li:first-child .meta');
  assert(/徒歩約\d+分/.test(meta), `walking minutes: ${meta}`);
  await axe(page, 'phone-list');
  await screenshot(page, 'phone-list-first');
  for (const width of [375, 320]) {
    await page.setViewportSize({ width, height: 700 });
    await page.waitForFunction((w) => document.documentElement.scrollWidth <= w, width, { timeout: 5000 });
  }
  // Back to the map: it is drawn again at its size.
  await page.setViewportSize({ width: 375, height: 740 });
  await page.click('#view-map');
  const box = await page.locator('#map').boundingBox();
  assert(box.width >= 300 && box.height >= 250, 'the map is back');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

// ---- the printed sheets (issue 20, item 2): measured in the PDF Chromium prints ----

/**
 * The text and images of a PDF as poppler reads them (pdftohtml -xml at zoom 1: positions and
 * font sizes in points): pages of { width, height, texts: [{ text, top, left, width, height,
 * size }], images: [{ top, left, width, height }] }, and the plain text (pdftotext).
 */
async function readPdf(pdf, name) {
  const file = path.join(artifacts, `${name}.pdf`);
  writeFileSync(file, pdf);
  const out = path.join(artifacts, `${name}-pdf`);
  execFileSync('pdftohtml', ['-xml', '-zoom', '1', '-q', '-nodrm', '-hidden', file, out]);
  const xml = readFileSync(`${out}.xml`, 'utf8');
  const sizes = new Map([...xml.matchAll(/<fontspec id="(\d+)" size="(-?[\d.]+)"/g)].map((m) => [m[1], Number(m[2])]));
  const attr = (s, k) => Number(new RegExp(`\\b${k}="(-?[\\d.]+)"`).exec(s)[1]);
  const pages = [...xml.matchAll(/<page ([^>]*)>([\s\S]*?)<\/page>/g)].map((m) => ({
    width: attr(m[1], 'width'),
    height: attr(m[1], 'height'),
    texts: [...m[2].matchAll(/<text ([^>]*)>([\s\S]*?)<\/text>/g)].map((t) => ({
      text: t[2].replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').trim(),
      top: attr(t[1], 'top'), left: attr(t[1], 'left'), width: attr(t[1], 'width'), height: attr(t[1], 'height'),
      size: sizes.get(/font="(\d+)"/.exec(t[1])[1]),
    })),
    images: [...m[2].matchAll(/<image ([^>]*)\/>/g)].map((i) => ({
      top: attr(i[1], 'top'), left: attr(i[1], 'left'), width: attr(i[1], 'width'), height: attr(i[1], 'height'),
    })),
  }));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return { pages, text };
}

/** An ISO date (2026-12-03), not a phone number (0867-00-6806). */
const ISO_DATE = /(?<![\d-])(19|20)\d\d-(0?[1-9]|1[0-2])-(0?[1-9]|[12]\d|3[01])(?![\d-])/;

/** Today as the sheets write it: 「2026年12月3日」. */
function jaToday() {
  const d = new Date();
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

/** Opens the print dialog of the map page, types the title and prints (window.print counted). */
async function printMapSheet(page, orientation, title) {
  const before = await page.evaluate(() => window.__printed ?? 0);
  await page.click(`#print-${orientation}`);
  await page.waitForSelector('#print-dialog[open] #print-title');
  await page.fill('#print-title', title);
  await page.click('#print-go');
  await page.waitForFunction((n) => window.__printed === n, before + 1, { timeout: 30000 });
}

suite.test('the meeting sheet: every listed badge on the map at ≥ 10 pt (in the PDF), legend, scale, north, typed title, dates in Japanese, credits of what is drawn', async () => {
  // A filtered list with a 基準点 on the first place's doorstep (the ring once hid badge 1).
  const probe = await apiJson('/api/resources?kind=ibasho,kayoi_no_ba&limit=200');
  const first = probe.body.features[0].geometry.coordinates;
  const { page, errors } = await openPage(`?kind=ibasho,kayoi_no_ba&map=13/35.097/133.622&pt=${first[0]},${first[1]}`);
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  // Every page of the list, as a meeting would print it.
  while (await page.isVisible('#list-more')) {
    const seq = await listSeq(page);
    await page.click('#list-more');
    await waitForList(page, seq);
  }
  const names = await listNames(page);
  assert(names.length >= 35, `a long list (${names.length} rows)`);
  await page.click('#print-portrait');
  await page.waitForSelector('#print-dialog[open] #print-title');
  const suggested = await page.inputValue('#print-title');
  assert(/地域の社会資源マップ/.test(suggested), `a title is suggested (${suggested})`);
  await axe(page, 'print-dialog');
  await page.click('#print-cancel');
  const title = '東町内会 12月の集い 居場所マップ';
  await printMapSheet(page, 'portrait', title);
  // In the page: no badge covers another or the 基準点's ring.
  const marks = await page.evaluate(() => ({
    badges: [...document.querySelectorAll('#print-sheet .badge')].map((g) => ({
      n: Number(g.dataset.n), x: Number(g.dataset.cx), y: Number(g.dataset.cy), r: Number(g.dataset.r) })),
    ring: [...document.querySelectorAll('#print-sheet .base-point')].map((c) => ({
      x: Number(c.getAttribute('cx')), y: Number(c.getAttribute('cy')), r: Number(c.getAttribute('r')) })),
  }));
  assertEqual(marks.badges.map((b) => b.n).sort((a, b) => a - b), names.map((_, i) => i + 1), 'a badge per listed place');
  assertEqual(marks.ring.length, 1, 'the 基準点 is drawn');
  for (const a of marks.badges) {
    for (const b of [...marks.badges.filter((b) => b.n > a.n), ...marks.ring]) {
      assert(Math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r, `badge ${a.n} does not cover ${b.n ?? 'the 基準点'}`);
    }
  }
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(artifacts, 'print-meeting-portrait.png'), fullPage: true });
  const pdf = await readPdf(await page.pdf({ preferCSSPageSize: true }), 'print-meeting-portrait');
  await page.emulateMedia({ media: 'screen' });
  // The map is the largest image of page 1; every badge's number is text inside it, ≥ 10 pt.
  const p1 = pdf.pages[0];
  const map = p1.images.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
  assert(map.width > p1.width * 0.8, `the map spans the page (${map.width} of ${p1.width} pt)`);
  const inMap = (x) => x.left >= map.left - 1 && x.top >= map.top - 1 && x.left + x.width <= map.left + map.width + 1 && x.top + x.height <= map.top + map.height + 1;
  const numbers = p1.texts.filter((x) => /^\d+$/.test(x.text) && inMap(x));
  assertEqual(numbers.map((x) => Number(x.text)).sort((a, b) => a - b), names.map((_, i) => i + 1), 'every badge number is on the printed map, once');
  const small = numbers.filter((x) => !(x.size >= 10));
  assertEqual(small.map((x) => `${x.text}:${x.size}pt`), [], 'badge text at 10 pt or more');
  const words = p1.texts.map((x) => x.text).join(' ');
  // (pdftotext breaks CJK lines at spaces: phrases are compared without them.)
  const flat = pdf.text.replace(/\s+/g, '');
  assert(p1.texts.some((x) => inMap(x) && x.text === '北'), 'a north arrow');
  assert(p1.texts.some((x) => inMap(x) && /^\d+ (m|km)$/.test(x.text)), `a scale bar (${words.slice(0, 300)})`);
  assert(flat.includes('凡例') && flat.includes('居場所・サロン') && flat.includes('通いの場') && flat.includes('基準点') && flat.includes('町丁の境界'), 'a legend of the marks drawn');
  assert(flat.includes(title.replace(/\s+/g, '')), 'the typed title');
  assert(pdf.text.includes(jaToday()), `the date in Japanese (${jaToday()})`);
  assert(!ISO_DATE.test(pdf.text), 'no ISO date on the sheet');
  assert(flat.includes(`一覧の${names.length}か所がすべて入る`), 'the sheet says the map is fitted to the list');
  // GSI failed (no network): not credited; the basemap drawn instead is.
  assert(!pdf.text.includes('地理院タイル'), 'no GSI credit for tiles never drawn');
  assert(flat.includes('歩行ネットワークの道'), 'the basemap drawn is credited');
  // Phone numbers whole on one line; the list fits two pages.
  const phones = probe.body.features.map((f) => f.properties.phone).filter(Boolean);
  assert(phones.length > 0, 'phones on the list');
  for (const ph of phones) assert(pdf.text.includes(ph), `the phone ${ph} is not broken`);
  assert(pdf.pages.length <= 2, `the ${names.length} rows fit two pages (${pdf.pages.length})`);

  // Landscape: the map takes most of the page, beside its legend.
  await printMapSheet(page, 'landscape', title);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(artifacts, 'print-meeting-landscape.png'), fullPage: true });
  const land = await readPdf(await page.pdf({ preferCSSPageSize: true }), 'print-meeting-landscape');
  await page.emulateMedia({ media: 'screen' });
  const l1 = land.pages[0];
  assert(l1.width > l1.height, 'a landscape page');
  const lmap = l1.images.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
  assert(lmap.width * lmap.height > l1.width * l1.height * 0.45, `the map fills most of the page, not a third (${Math.round(lmap.width)}×${Math.round(lmap.height)} of ${l1.width}×${l1.height})`);
  const lnums = l1.texts.filter((x) => /^\d+$/.test(x.text) && x.left >= lmap.left && x.left <= lmap.left + lmap.width && x.top >= lmap.top && x.top <= lmap.top + lmap.height);
  assertEqual(lnums.length, names.length, 'every badge on the landscape map');
  assert(lnums.every((x) => x.size >= 10), 'at 10 pt or more');
  assert(!land.text.includes('地理院タイル') && !ISO_DATE.test(land.text), 'no GSI credit, no ISO date');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the planner sheet prints the planner\'s map, legend, ranked table, method and sources — not the resource list', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  const resourceNames = await listNames(page);
  await loginAs(page, PLANNER);
  await openPlanner(page);
  await choose(page, 'chome', 'aging_rate');
  await axe(page, 'planner-print-button');
  await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
  const ranked = await page.$$eval('#p-rank tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent.trim()));
  const legendRows = await page.$$eval('#p-legend li', (ls) => ls.length);
  // 「A4 縦」 in the header on the planner page prints the planner's sheet; so does its own button.
  for (const [button, n] of [['#print-portrait', 1], ['#p-print', 2]]) {
    await page.click(button);
    await page.waitForFunction((k) => window.__printed === k, n, { timeout: 30000 });
    assert(await page.isVisible('#print-sheet .planner-sheet', { strict: false }) || (await page.$('#print-sheet .planner-sheet')), `${button}: the planner's sheet`);
    assertEqual(await page.$('#print-sheet .print-list'), null, `${button}: not the resource list`);
  }
  const sheetRanked = await page.$$eval('#print-sheet .planner-rank-print tbody tr', (trs) => trs.map((tr) => tr.children[1].textContent.trim()));
  assertEqual(sheetRanked, ranked, 'the ranked table, as on the page');
  assertEqual(await page.$$eval('#print-sheet .print-legend li', (ls) => ls.length), legendRows, 'the legend, row for row');
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(artifacts, 'print-planner.png'), fullPage: true });
  const pdf = await readPdf(await page.pdf({ preferCSSPageSize: true }), 'print-planner');
  await page.emulateMedia({ media: 'screen' });
  const flat = pdf.text.replace(/\s+/g, '');
  const p1 = pdf.pages[0];
  const map = p1.images.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
  assert(map.width > p1.width * 0.6, `the map is printed large (${map.width} of ${p1.width} pt)`);
  const inMap = (x) => x.left >= map.left - 1 && x.top >= map.top - 1 && x.left + x.width <= map.left + map.width + 1 && x.top + x.height <= map.top + map.height + 1;
  assert(p1.texts.some((x) => inMap(x) && x.text === '北'), 'a north arrow on the map');
  assert(p1.texts.some((x) => inMap(x) && /^\d+ (m|km)$/.test(x.text)), 'a scale bar on the map');
  for (const word of ['高齢化率', '凡例', '順位', '方法', '分位', '出典', ranked[0].replace(/\s+/g, '')]) {
    assert(flat.includes(word), `the sheet says ${word}`);
  }
  assert(flat.includes(jaToday()) && !ISO_DATE.test(pdf.text), 'a Japanese date, no ISO date');
  assert(!flat.includes('画面下'), 'no pointer to the screen on paper');
  for (const name of resourceNames.slice(0, 5)) assert(!flat.includes(name.replace(/\s+/g, '')), `no resource list (${name})`);
  assert(!flat.includes('地理院タイル'), 'no GSI credit for tiles never drawn');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the handout in plain words: typed worker, phone, first visit and things to bring (never sent), ふりがな, the stop drawn and named', async () => {
  if (!hasTilemaker()) return;
  // The extract's basemap knows つなぎ駅: the stop the handout marks.
  const local = await startServer(tsunagi, dist, { basemap: 'remote' });
  const page = await browser.context.newPage();
  try {
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort('internetdisconnected'));
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const requests = [];
    page.on('request', (r) => requests.push(`${r.url()}\n${r.postData() ?? ''}`));
    await page.goto(`${local.url}/?map=14/35.097/133.622`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    await openMatchPage(page);
    await page.click('#m-pick');
    await clickMapAt(page, MATCH_POINT);
    const matchOnce = async () => {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/match') && r.request().method() === 'POST');
      await page.click('#m-submit');
      const a = await (await answered).json();
      await page.waitForSelector('#m-candidates li[data-id]');
      return a;
    };
    // The farms first (a 農福連携 placement), then every kind near the person.
    await page.check('#m-kinds input[value="nofuku_site"]');
    await page.fill('#m-walk', '60');
    const farms = await matchOnce();
    const farm = farms.candidates.find((c) => c.kind === 'nofuku_site' && c.lon != null);
    assert(farm, `a 農福連携 placement among the candidates (${farms.candidates.map((c) => c.kind).join(',')})`);
    // Its reading, entered by a coordinator (the demo has none).
    const r0 = await fetch(`${local.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: COORDINATOR.name, password: COORDINATOR.password }) });
    const cookie = r0.headers.get('set-cookie').split(';')[0];
    const { csrf_token: csrf } = await r0.json();
    const cur = await fetch(`${local.url}/api/resources/${farm.id}`, { headers: { Cookie: cookie } });
    const props = (await cur.json()).properties;
    for (const k of Object.keys(props)) if (k.endsWith('_ja')) delete props[k];
    props.name_kana = 'ミドリノハタケ';
    const put = await fetch(`${local.url}/api/resources/${farm.id}`, { method: 'PUT',
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'If-Match': cur.headers.get('etag'), 'Content-Type': 'application/json' },
      body: JSON.stringify(props) });
    assertEqual(put.status, 200, 'name_kana saved');

    await page.evaluate(() => { window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }; });
    await page.click(`#m-candidates li[data-id="${farm.id}"] .item`);
    await page.click(`#m-candidates li[data-id="${farm.id}"] .handout`);
    await page.waitForSelector('#handout-dialog[open] #h-worker');
    await axe(page, 'handout-dialog');
    const typed = { worker: '山田はなこ', phone: '0867-99-1234', date: '2027-01-15', time: '13:30', bring: '軍手と水筒、タオル' };
    await page.fill('#h-worker', typed.worker);
    await page.fill('#h-phone', typed.phone);
    await page.fill('#h-date', typed.date);
    await page.fill('#h-time', typed.time);
    await page.fill('#h-bring', typed.bring);
    await page.click('#handout-go');
    await page.waitForFunction(() => window.__printed === 1, null, { timeout: 30000 });
    const sheet = await page.textContent('#print-sheet');
    const wd = '日月火水木金土'[new Date(2027, 0, 15).getDay()];
    for (const want of [typed.worker, typed.phone, `1月15日（${wd}）`, '13時30分', typed.bring]) {
      assert(sheet.includes(want), `the handout says ${want}`);
    }
    assertEqual(await page.textContent('#print-sheet h1 ruby rt'), 'みどりのはたけ', 'ふりがな over the name');
    const body = sheet.replace(await page.textContent('#print-sheet h1'), '');
    for (const word of ['農福連携', '参加支援', '受入れ', '作業受委託']) assert(!body.includes(word), `no staff word ${word} on the handout`);
    assert((await page.textContent('#print-sheet .handout-kind')).includes('畑'), 'what the place is, in plain words');
    assert(!ISO_DATE.test(sheet), 'no ISO date');
    // Typed for the sheet only: in no request, not in the URL, not in storage, not left in the page.
    for (const v of [typed.worker, typed.phone, typed.bring]) {
      const hits = requests.filter((r) => r.includes(v) || r.includes(encodeURIComponent(v)));
      assertEqual(hits, [], `${v} is not sent`);
    }
    const kept = await page.evaluate(() => [location.href, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }),
      document.getElementById('handout-dialog')?.innerHTML ?? ''].join('\n'));
    for (const v of [typed.worker, typed.phone, typed.bring]) assert(!kept.includes(v), `${v} is not kept`);
    await page.emulateMedia({ media: 'print' });
    const pdf1 = await readPdf(await page.pdf({ preferCSSPageSize: true }), 'print-handout-plain');
    await page.emulateMedia({ media: 'screen' });
    assertEqual(pdf1.pages.length, 1, 'one A4 page');
    assert(pdf1.text.includes(typed.phone), 'the worker\'s phone unbroken in the PDF');

    // The candidate nearest the station: its stop drawn as a marker, named in text on the map.
    const STATION = [133.6223, 35.1019];
    await page.uncheck('#m-kinds input[value="nofuku_site"]');
    await page.fill('#m-walk', '20');
    const answer = await matchOnce();
    const routed = answer.candidates.filter((c) => c.route && c.lon != null);
    const near = routed.reduce((a, b) => (metres([a.lon, a.lat], STATION) <= metres([b.lon, b.lat], STATION) ? a : b));
    await page.click(`#m-candidates li[data-id="${near.id}"] .item`);
    await page.click(`#m-candidates li[data-id="${near.id}"] .handout`);
    await page.click('#handout-go');
    await page.waitForFunction(() => window.__printed === 2, null, { timeout: 30000 });
    assertEqual(await page.getAttribute('#print-sheet .stop-marker', 'data-name'), 'つなぎ駅', 'the stop is marked');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(artifacts, 'print-handout-stop.png'), fullPage: true });
    const pdf2 = await readPdf(await page.pdf({ preferCSSPageSize: true }), 'print-handout-stop');
    await page.emulateMedia({ media: 'screen' });
    const p1 = pdf2.pages[0];
    const map = p1.images.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    const label = p1.texts.find((x) => x.text.includes('つなぎ駅') && x.left >= map.left && x.left <= map.left + map.width && x.top >= map.top && x.top <= map.top + map.height);
    assert(label, 'the stop\'s name is printed on the map');
    assert(label.size >= 9, `legibly (${label.size} pt)`);
    assertEqual(errors, [], 'no page errors');
  } finally {
    await page.close();
    await local.stop();
  }
});

suite.test('search by reading: 「たいそう」 in the search box finds the 体操 listings', async () => {
  const byKanji = await apiJson('/api/resources?limit=1000&q=' + encodeURIComponent('体操'));
  const n = byKanji.body.numberMatched;
  assert(n >= 22, `the demo has its 体操 listings (${n})`);
  const ids = new Set(byKanji.body.features.map((f) => f.properties.id));
  for (const reading of ['たいそう', 'タイソウ']) {
    const r = await apiJson('/api/resources?limit=1000&q=' + encodeURIComponent(reading));
    const found = new Set(r.body.features.map((f) => f.properties.id));
    assert([...ids].every((id) => found.has(id)), `${reading} finds every 体操 listing (${found.size} of ${n})`);
  }
  const { page, errors } = await openPage();
  const seq = await listSeq(page);
  await page.fill('#f-q', 'たいそう');
  await waitForList(page, seq);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'たいそう' || document.getElementById('f-q').value === 'たいそう');
  const count = await page.textContent('#count');
  assert(count.includes(String(n)), `the page counts the 体操 listings for たいそう: ${count} (${n})`);
  const names = await listNames(page);
  assert(names.length > 0 && names.every((x) => x.includes('体操')), `the list shows 体操 listings: ${names.slice(0, 3).join('、')}`);
  await axe(page, 'search-reading');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the editor shows a position as its 町丁 (市町村) and address, the coordinates second', async () => {
  const { page, errors } = await openPage('?map=14/35.1/133.63');
  await login(page);
  await page.click('#new-resource');
  await page.waitForSelector('#editor-form');
  await page.fill('#e-address', 'つなぎ町栄町3-5');
  await page.click('#e-geocode');
  await page.waitForSelector('#e-geocode-result[data-match="exact"]');
  await page.waitForSelector('#e-position[data-town="栄町"]');
  assertEqual((await page.textContent('#e-position .position-place')).trim(), '栄町（つなぎ町（架空））', 'the 町丁 and its 市町村');
  assertEqual((await page.textContent('#e-position .position-address')).trim(), '住所：つなぎ町栄町3-5', 'the address');
  assert(/緯度 35\.\d+、経度 133\.\d+/.test(await page.textContent('#e-position .position-coords')), 'the coordinates on their own line');
  // Placed by a click on the map, inside another 町丁: its name, and the address field still empty.
  await page.fill('#e-address', '');
  const area = (await apiJson('/ogc/collections/areas/items/' + encodeURIComponent('chome:demo-02'))).body;
  const at = [area.properties.label_lon, area.properties.label_lat];
  await page.click('#e-pick');
  await clickMapAt(page, at);
  await page.waitForFunction(() => document.querySelector('#e-position')?.dataset.town !== '栄町', null, { timeout: 10000 });
  assertEqual(await page.getAttribute('#e-position', 'data-town'), area.properties.name, 'the 町丁 of the clicked point');
  assertEqual((await page.textContent('#e-position .position-place')).trim(), `${area.properties.name}（つなぎ町（架空））`, 'the clicked 町丁');
  assert((await page.textContent('#e-position .position-address')).includes(`つなぎ町（架空）${area.properties.name}付近`), 'the address near it, said to be unentered');
  await axe(page, 'editor-position');
  await screenshot(page, 'editor-position');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('siting explains itself: with k = 2 each site\'s gain and the areas it reaches; the map goes to the uncovered areas', async () => {
  const { page, errors } = await openPage('?map=13/35.097/133.622');
  await loginAs(page, PLANNER);
  await openPlanner(page);
  await page.selectOption('#gap-analysis', 'site');
  const kinds = await page.$$eval('input[name="gap-kind"]', (is) => is.map((i) => i.value));
  for (const v of kinds) await page.setChecked(`input[name="gap-kind"][value="${v}"]`, v === 'kayoi_no_ba');
  const cands = await page.$$eval('input[name="gap-candidate"]', (is) => is.map((i) => i.value));
  for (const v of cands) await page.setChecked(`input[name="gap-candidate"][value="${v}"]`, v === 'kominkan');
  await page.fill('#gap-k', '2');
  // Somewhere else first: the answer must bring the map to its uncovered areas.
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.3, 35.4], zoom: 9 }));
  const id = await runGap(page);
  const job = await (await gapApi(id, await pageCookie())).json();
  const chosen = job.result.chosen;
  assertEqual(chosen.length, 2, 'two sites chosen');
  const items = await page.$$eval('#gap-chosen li', (ls) => ls.map((l) => ({
    id: l.dataset.id, gain: l.querySelector('.site-gain')?.textContent ?? '', areas: l.querySelector('.site-areas')?.textContent ?? '' })));
  const report = [];
  chosen.forEach((c, i) => {
    assertEqual(items[i].id, c.id, 'listed in the job\'s order');
    assert(items[i].gain.includes(`新たに届く ${num(c.adds)}人`), `${c.name}: its gain (${items[i].gain})`);
    assert(Array.isArray(c.reaches) && c.reaches.length > 0, `${c.name}: the server lists the areas it reaches`);
    const added = c.reaches.reduce((sum, a) => sum + a.adds, 0);
    assert(Math.abs(added - c.adds) < 1e-6, `${c.name}: the areas' additions sum to its gain (${added} vs ${c.adds})`);
    assert(items[i].areas.startsWith('届く町丁：'), `${c.name}: the reached areas said (${items[i].areas})`);
    for (const a of c.reaches) {
      const shown = a.adds > 0 ? `${a.name}（新たに${num(a.adds)}人）` : a.name;
      assert(items[i].areas.includes(shown), `${c.name}: ${shown} listed (${items[i].areas})`);
    }
    report.push(`${c.name}: +${num(c.adds)}人 (only it ${num(c.only_it)}), ${c.reaches.length} areas`);
  });
  console.log(`  k = 2 on the demo: ${report.join('; ')}`);
  // The map fits the areas left out after siting.
  const gj = await (await gapApi(id, await pageCookie(), '?format=geojson&layer=uncovered')).json();
  const left = gj.features.filter((f) => f.properties.uncovered > 0);
  assert(left.length > 0, 'the demo leaves some areas out even after siting');
  await page.waitForFunction(() => document.body.dataset.gapFitted);
  await mapIdle(page);
  const view = await page.evaluate(() => {
    const b = window.tsunagi.map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  });
  const box = [180, 90, -180, -90];
  const walk = (c) => (typeof c[0] === 'number' ? (box[0] = Math.min(box[0], c[0]), box[1] = Math.min(box[1], c[1]), box[2] = Math.max(box[2], c[0]), box[3] = Math.max(box[3], c[1])) : c.forEach(walk));
  left.forEach((f) => walk(f.geometry.coordinates));
  assert(view[0] <= box[0] && view[1] <= box[1] && view[2] >= box[2] && view[3] >= box[3], `every uncovered area in view: ${view} ⊇ ${box}`);
  const fill = Math.max((box[2] - box[0]) / (view[2] - view[0]), (box[3] - box[1]) / (view[3] - view[1]));
  assert(fill > 0.5, `the view is fitted to them, not the whole region (${fill.toFixed(2)})`);
  await page.$eval('#gap-chosen', (el) => el.scrollIntoView());
  await screenshot(page, 'desktop-planner-site-explained');
  await axe(page, 'planner-site-explained');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

suite.test('the planner\'s workspace: area names on the map at readable zooms, a full-width table, the heading stays', async () => {
  const { page, errors } = await openPage('?map=14/35.097/133.622');
  await loginAs(page, PLANNER);
  await openPlanner(page);
  await choose(page, 'chome', 'aging_rate');
  // Names at zoom 14, drawn with local fonts (nothing is fetched from outside: openPage fails fast).
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.622, 35.097], zoom: 14 }));
  await mapIdle(page);
  const areaNames = (await apiJson('/ogc/collections/areas/items?limit=1000')).body.features
    .filter((f) => f.properties.kind === 'chome').map((f) => f.properties.name);
  const labels = await page.evaluate(() => [...new Set(window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-label'] }).map((f) => f.properties.name))]);
  assert(labels.length >= 3, `area names drawn at zoom 14: ${labels.join('、')}`);
  assert(labels.every((n) => areaNames.includes(n)), `each label is a 町丁's name: ${labels.join('、')}`);
  await screenshot(page, 'desktop-planner-labels');
  // Not at a zoom where they would cover one another.
  await page.evaluate(() => window.tsunagi.map.jumpTo({ center: [133.622, 35.097], zoom: 11 }));
  await mapIdle(page);
  assertEqual(await page.evaluate(() => window.tsunagi.map.queryRenderedFeatures({ layers: ['planner-label'] }).length), 0, 'no names at zoom 11');
  // The heading stays while the panel scrolls.
  const head = await page.evaluate(() => {
    const side = document.querySelector('#planner').closest('.side');
    side.scrollTop = side.scrollHeight;
    const h = document.querySelector('#planner .match-head').getBoundingClientRect();
    return { scrolled: side.scrollTop, top: h.top, sideTop: side.getBoundingClientRect().top };
  });
  assert(head.scrolled > 200, `the panel scrolls (${head.scrolled} px)`);
  assert(Math.abs(head.top - head.sideTop) <= 2, `the heading stays at the panel's top (${head.top} vs ${head.sideTop})`);
  assert(await page.isVisible('#planner-close'), 'the way back stays in view');
  // The table at full width, and back beside the map.
  const narrow = (await page.locator('#p-rank').boundingBox()).width;
  await page.click('#p-wide');
  assertEqual(await page.getAttribute('#p-wide', 'aria-pressed'), 'true', 'the toggle says it is on');
  assert(!(await page.isVisible('#map')), 'the map gives way');
  const wide = (await page.locator('#p-rank').boundingBox()).width;
  assert(wide > 1000 && wide > narrow * 2, `the table takes the width (${narrow} → ${wide} px)`);
  await axe(page, 'planner-wide');
  await screenshot(page, 'desktop-planner-wide');
  await page.click('#p-wide');
  assertEqual(await page.getAttribute('#p-wide', 'aria-pressed'), 'false', 'the toggle says it is off');
  const box = await page.locator('#map').boundingBox();
  assert(box && box.width > 600, 'the map is back at its size');
  await axe(page, 'planner-workspace');
  // Leaving the page leaves no full-width mode behind.
  await page.click('#p-wide');
  await page.click('#planner-close');
  await page.waitForFunction(() => document.body.dataset.route === 'map');
  assert(await page.isVisible('#map'), 'the map page has its map');
  assertEqual(errors, [], 'no page errors');
  await page.close();
});

/** No horizontal scrolling at `width` CSS px (a 1280 px window at 400 % is 320 px wide). */
async function assertReflows(page, label, width = 320) {
  await page.setViewportSize({ width, height: 640 });
  await page.waitForFunction((w) => document.documentElement.scrollWidth <= w, width, { timeout: 5000 }).catch(() => {});
  const wide = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    return {
      scroll: document.documentElement.scrollWidth,
      over: [...document.querySelectorAll('body *')]
        .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap, .maplibregl-map'))
        .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')}`),
    };
  });
  assert(wide.scroll <= width, `${label}: no horizontal scroll at ${width} px (${wide.scroll} px; ${wide.over.join(', ')})`);
  await screenshot(page, `reflow-400-${label}`);
  await axe(page, `reflow-400-${label}`);
}

suite.test('400 % zoom (320 CSS px): the main page, the planner page and the matching page reflow without horizontal scroll', async () => {
  const { page, errors } = await openPage('?map=14/35.097/133.622', { viewport: { width: 1280, height: 860 } });
  await assertReflows(page, 'main');
  // The list and a detail.
  await page.click('#view-list');
  await page.click('#list li .item');
  await page.waitForSelector('#detail:not([hidden])');
  await assertReflows(page, 'main-detail');
  await page.close();

  const planner = await openPage('?map=14/35.097/133.622');
  await loginAs(planner.page, PLANNER);
  await openPlanner(planner.page);
  await planner.page.selectOption('#gap-analysis', 'coverage');
  await runGap(planner.page);
  await assertReflows(planner.page, 'planner');
  assertEqual(planner.errors, [], 'no page errors on the planner page');
  await planner.page.close();

  const match = await openPage('?map=14/35.097/133.622');
  await openMatchPage(match.page);
  await match.page.click('#m-pick');
  await clickMapAt(match.page, MATCH_POINT);
  await match.page.fill('#m-walk', '20');
  await match.page.click('#m-submit');
  await match.page.waitForSelector('#m-candidates li[data-id]');
  await assertReflows(match.page, 'match');
  assertEqual(match.errors, [], 'no page errors on the matching page');
  assertEqual(errors, [], 'no page errors');
  await match.page.close();
});


let failed = 1;
try {
  failed = await suite.run(only);
  if (cspViolations.length) {
    console.error(`FAIL the Content-Security-Policy refused something on a page:\n  ${cspViolations.join('\n  ')}`);
    failed = 1;
  }
} finally {
  await browser.close();
  await server.stop();
}
process.exit(failed ? 1 : 0);
