#!/usr/bin/env node
// The map page's speed: time from navigation to a fully drawn demo map (every tile loaded, the
// list's numbered badges on the map) in headless Chromium, cold (a fresh browser profile each
// run) and warm (the same profile again), and the bytes of JavaScript and CSS the page loads,
// compressed (gzip -9 of each file, as a server or proxy would send them), with MapLibre apart.
//
// usage: node bench/frontend_bench.mjs [--tsunagi PATH] [--runs N]
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { CHROMIUM, launchBrowser, loadPlaywright, repo, startServer } from '../tests/browser/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const tsunagi = path.resolve(opt('--tsunagi', path.join(repo, 'build/release/cli/tsunagi')));
const runs = Number(opt('--runs', '10'));
const dist = path.join(repo, 'frontend/dist');
const { chromium } = loadPlaywright();

// ---- bytes ----
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const loaded = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css|mjs))"/g)].map((m) => m[1]);
const all = readdirSync(path.join(dist, 'assets')).map((f) => `assets/${f}`);
const size = (f) => {
  const b = readFileSync(path.join(dist, f));
  return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
};
const rows = all.filter((f) => /\.(js|css|mjs)$/.test(f)).map((f) => ({ file: f, loadedByHtml: loaded.includes(f), ...size(f) }));
const ours = rows.filter((r) => !r.file.includes('maplibre'));
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
console.log('file\traw\tgzip');
for (const r of rows) console.log(`${r.file}\t${r.raw}\t${r.gzip}`);
console.log(`ours (JS+CSS besides MapLibre): ${sum(ours, 'raw')} B raw, ${sum(ours, 'gzip')} B gzip`);
console.log(`MapLibre (main chunk + CSS + worker): ${sum(rows.filter((r) => r.file.includes('maplibre')), 'gzip')} B gzip`);

// ---- time ----
const server = await startServer(tsunagi, dist);
async function once(context, query = '') {
  const page = await context.newPage();
  let transferred = 0;
  page.on('response', async (r) => {
    const len = Number(r.headers()['content-length'] ?? 0);
    if (/\.(js|mjs|css)$/.test(new URL(r.url()).pathname)) transferred += len;
  });
  await page.goto(`${server.url}/${query}`);
  await page.waitForSelector('body[data-drawn-at]', { timeout: 60000 });
  const ms = Number(await page.getAttribute('body', 'data-drawn-at'));
  const marks = await page.evaluate(() => {
    const m = Object.fromEntries(performance.getEntriesByType('mark').map((e) => [e.name.replace('tsunagi:', ''), Math.round(e.startTime)]));
    const nav = performance.getEntriesByType('navigation')[0];
    m.domContentLoaded = Math.round(nav.domContentLoadedEventEnd);
    return m;
  });
  const drawn = await page.evaluate(() => window.tsunagi.map.queryRenderedFeatures({ layers: ['resources-point', 'resources-cluster'] }).length);
  await page.close();
  return { ms, drawn, transferred, marks };
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const cold = [];
const coldMarks = [];
const warm = [];
let transferred = 0;
let drawn = 0;
const noBasemap = [];
// No network, as on a closed municipal network: every other host fails to resolve at once.
const offline = ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];
try {
  for (let i = 0; i < runs; i++) {
    const b = await launchBrowser(chromium, offline);
    const c = await once(b.context);
    cold.push(c.ms);
    coldMarks.push(c.marks);
    transferred = c.transferred;
    drawn = c.drawn;
    warm.push((await once(b.context)).ms);
    await b.close();
    const n = await launchBrowser(chromium, offline);
    noBasemap.push((await once(n.context, '?basemap=none')).ms);
    await n.close();
  }
} finally {
  await server.stop();
}
console.log(`Chromium ${CHROMIUM}, ${runs} runs, demo town, ${drawn} markers drawn`);
console.log(`navigation → fully drawn, cold profile: ${JSON.stringify(stats(cold))} ms`);
console.log(`navigation → fully drawn, warm profile: ${JSON.stringify(stats(warm))} ms`);
console.log(`navigation → fully drawn, cold, basemap off (?basemap=none): ${JSON.stringify(stats(noBasemap))} ms`);
for (const k of Object.keys(coldMarks[0] ?? {})) {
  console.log(`  cold, ${k}: median ${stats(coldMarks.map((m) => m[k])).median} ms`);
}
console.log(`JS+CSS transferred by the server (gzip when the browser accepts it): ${transferred} B`);
