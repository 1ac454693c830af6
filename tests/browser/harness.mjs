// Runs the real `tsunagi serve` on a fresh demo store (made with `tsunagi demo`) and drives
// Debian's Chromium with playwright-core. No network: the basemap cannot be reached, and the page
// must work without it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const require = createRequire(path.join(repo, 'frontend', 'package.json'));

export const SKIP = 77; // CTest SKIP_RETURN_CODE

export function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

export function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch {
    skip('frontend/node_modules has no playwright-core: run scripts/setup (it runs npm ci in frontend/)');
  }
}

export const CHROMIUM = process.env.TSUNAGI_CHROMIUM ?? '/usr/bin/chromium';

export const COORDINATOR = { name: 'browser-coordinator', password: 'browser-test-password-1', role: 'coordinator' };
export const MATCHER = { name: 'browser-matcher', password: 'browser-test-password-2', role: 'matcher' };
export const PLANNER = { name: 'browser-planner', password: 'browser-test-password-3', role: 'planner' };

/** A municipality's own figure (要介護認定者数, partners and up, small-cell threshold 10) on the
 *  demo town's 町丁: one below the threshold (秘匿), one merged into its neighbour (合算元), and
 *  one 町丁 with an approximate boundary — what the public must never see, and what the planner
 *  page marks. Written with the sqlite3 program, before the server starts. */
export const STAFF_FIGURE = { key: 'care_certified', suppressed: 'chome:demo-01', absorbed: 'chome:demo-05', into: 'chome:demo-06', approximate: 'chome:demo-07' };
function seedStaffFigures(db) {
  const f = STAFF_FIGURE;
  const sql = `
    INSERT INTO stat_def VALUES('${f.key}','要介護認定者数','count','partners',1,10,NULL,'','');
    INSERT INTO area_stat SELECT area_id,'${f.key}','2025-03-31',
      CASE WHEN area_id='${f.suppressed}' THEN 6 ELSE 10 + (CAST(substr(area_id,12) AS INTEGER) * 7) % 40 END,
      'value','',NULL FROM area WHERE kind='chome' AND area_id<>'${f.absorbed}';
    INSERT INTO area_stat VALUES('${f.absorbed}','${f.key}','2025-03-31',NULL,'absorbed','${f.into}',NULL);
    UPDATE area SET approximate=1 WHERE area_id='${f.approximate}';`;
  execFileSync('sqlite3', [db, sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A demo store with a coordinator, a 参加支援 matcher and a planner, and `tsunagi serve` on a free port.
 *  With `basemap` (a value of the config key: auto, local, remote), the demo town's offline
 *  basemap is built first (tsunagi demo --osm, then import --basemap: needs tilemaker). */
export async function startServer(tsunagi, frontendDist, { basemap = null, prepare = null } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsunagi-browser-'));
  const db = path.join(dir, 'demo.sqlite');
  execFileSync(tsunagi, ['demo', '--db', db], { stdio: 'ignore' });
  const extra = [];
  if (basemap) {
    const osm = path.join(dir, 'demo.osm.pbf');
    execFileSync(tsunagi, ['demo', '--osm', osm], { stdio: 'ignore' });
    execFileSync(tsunagi, ['import', '--db', db, '--basemap', osm], { stdio: 'ignore' });
    extra.push('--basemap', basemap);
  }
  seedStaffFigures(db);
  if (prepare) prepare(db, dir); // e.g. more towns' boundaries and resources
  for (const u of [COORDINATOR, MATCHER, PLANNER]) {
    execFileSync(tsunagi, ['user', 'add', '--db', db, '--name', u.name, '--role', u.role], {
      env: { ...process.env, TSUNAGI_PASSWORD: u.password, TSUNAGI_PWHASH: 'minimum' },
      stdio: 'ignore',
    });
  }
  const child = spawn(
    tsunagi,
    ['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--frontend', frontendDist, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TSUNAGI_PWHASH: 'minimum' } },
  );
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      log += d.toString();
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(log);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`tsunagi serve exited (${code}):\n${log}`)));
  });
  return {
    url,
    db,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(chromium, extraArgs = []) {
  const profile = mkdtempSync(path.join(tmpdir(), 'tsunagi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', ...extraArgs,
    ],
    viewport: { width: 1280, height: 860 },
    locale: 'ja-JP',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const artifacts = path.join(repo, 'build', 'browser-artifacts');
export function ensureArtifacts() {
  if (!existsSync(artifacts)) mkdirSync(artifacts, { recursive: true });
  return artifacts;
}

/** Minimal test runner: named async tests, run in order; a summary and the exit code. */
export class Suite {
  tests = [];
  test(name, fn) {
    this.tests.push({ name, fn });
  }
  async run(filter) {
    let failed = 0;
    let passed = 0;
    for (const t of this.tests) {
      if (filter && !t.name.includes(filter)) continue;
      const started = Date.now();
      try {
        await t.fn();
        passed++;
        console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed++;
        console.log(`not ok - ${t.name}\n  ${String(e?.stack ?? e).split('\n').join('\n  ')}`);
      }
    }
    console.log(`# ${passed} passed, ${failed} failed`);
    return failed;
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(a, b, message) {
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    throw new Error(`${message}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
  }
}
