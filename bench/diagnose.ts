// `npx tsx bench/diagnose.ts`: where the time goes on the two measures whose targets are hardest,
// against references that isolate one cost each. Like the benchmark it measures and reports.
//
// 1. First allowlisted fetch after the worker was stopped: B (floor), floor-idb (the floor, but
//    its token read from IndexedDB once per start: the cost any persistent worker pays),
//    idb+loaded (floor-idb that also loads bearer-sw's bundle without installing it: the cost of
//    the script itself), C (bearer-sw), C-no-routes (without its static routes), and C-alt when --alt DIR names another source tree to build bearer-sw from (to
//    measure a proposed change against the current code in the same run; DIR is a `src/` whose
//    imports resolve, e.g. in a copy of the repository with a `node_modules` link).
// 2. Non-allowlisted requests (same-origin file, foreign origin): A (no worker), B (fetch
//    listener, no routes), C (bearer-sw with its static routes), C-no-routes, route-all (one
//    trivial route sends everything to the network: the best routes can do), R (the bench's
//    route-all floor: the floor plus a route sending all but the API to the network), no-fetch (a worker
//    without fetch listener, which Chromium never wakes).
//
// Options: --samples N (default 40), --alt DIR, --out DIR (default bench/results), --only cold
// (the first measure alone; nothing is written).
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from '../scripts/find-chromium.mjs';
import { buildBenchBundles } from './support/build.js';
import { openBenchPage } from './support/open-page.js';
import { controlWorkers, type WorkerControl } from './support/service-workers.js';
import { median, round } from './support/stats.js';
import { startWorld, type BenchWorld } from './support/world.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '40' },
    alt: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const SAMPLES = Number(args.samples);

interface Entrant {
  name: string;
  /** How the page sets it up: A none, B register and wait for control, C bearer-sw with tokens. */
  setup: 'A' | 'B' | 'C';
  script: string;
}

interface Seated extends Entrant {
  page: Page;
  close(): Promise<void>;
}

async function seat(browser: Browser, world: BenchWorld, entrant: Entrant): Promise<Seated> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [entrant.setup, entrant.script, world.tokens] as const);
  return { ...entrant, page, close: () => context.close() };
}

/** Runs `step` SAMPLES times for each entrant, rotating the order every time. */
async function rotate(entrants: readonly Seated[], step: (e: Seated) => Promise<void>): Promise<void> {
  for (let i = 0; i < SAMPLES; i++) {
    for (let j = 0; j < entrants.length; j++) await step(entrants[(i + j) % entrants.length]!);
  }
}

interface Row {
  name: string;
  medianMs: number;
  ratio: number;
  /** The ratio taken sample by sample against the reference of the same rotation. */
  pairedRatio: number;
}

function rows(samples: Map<string, number[]>, reference: string): Row[] {
  const base = samples.get(reference)!;
  return [...samples].map(([name, values]) => ({
    name,
    medianMs: round(median(values)),
    ratio: round(median(values) / median(base)),
    pairedRatio: round(median(values.map((v, i) => v / base[i]!))),
  }));
}

function print(title: string, table: Row[], reference: string): void {
  console.log(`\n${title} (ratios to ${reference})`);
  for (const row of table) console.log(`  ${row.name.padEnd(18)} ${row.medianMs.toFixed(3).padStart(8)} ms   ×${row.ratio.toFixed(3)}   paired ×${row.pairedRatio.toFixed(3)}`);
}

/** The floor and bearer-sw with and without its static routes: in both measures. */
const FLOOR: Entrant = { name: 'B floor', setup: 'B', script: '/sw-b.js' };
const BEARER: Entrant = { name: 'C bearer-sw', setup: 'C', script: '/sw-c.js' };
const BEARER_NO_ROUTES: Entrant = { name: 'C-no-routes', setup: 'C', script: '/sw-c.js?routes=0' };

async function coldStart(browser: Browser, world: BenchWorld): Promise<Row[]> {
  const entrants: Entrant[] = [
    FLOOR,
    { name: 'floor-idb', setup: 'B', script: '/sw-floor-idb.js' },
    { name: 'idb+loaded', setup: 'B', script: '/sw-floor-idb-loaded.js' },
    BEARER,
    BEARER_NO_ROUTES,
  ];
  if (args.alt !== undefined) entrants.push({ name: 'C-alt', setup: 'C', script: '/sw-bearer-alt.js' });
  const seated: Seated[] = [];
  const controls = new Map<string, WorkerControl>();
  const samples = new Map<string, number[]>();
  try {
    for (const entrant of entrants) {
      const s = await seat(browser, world, entrant);
      seated.push(s);
      controls.set(s.name, await controlWorkers(s.page.context(), s.page));
      samples.set(s.name, []);
    }
    const url = `${world.api.origin('api.test')}/v1/items?run=diagnose`;
    for (const s of seated) await s.page.evaluate((u) => window.bench.sequential(u, 20), url);
    await rotate(seated, async (s) => {
      await controls.get(s.name)!.stopAll();
      samples.get(s.name)!.push(await s.page.evaluate((u) => window.bench.sequential(u, 1), url));
    });
  } finally {
    for (const s of seated) await s.close();
  }
  return rows(samples, FLOOR.name);
}

async function nonAllowlisted(browser: Browser, world: BenchWorld): Promise<{ sameOrigin: Row[]; foreign: Row[] }> {
  const entrants: Entrant[] = [
    { name: 'A no worker', setup: 'A', script: '' },
    FLOOR,
    BEARER,
    BEARER_NO_ROUTES,
    { name: 'route-all', setup: 'B', script: '/sw-route-all.js' },
    { name: 'R route-all floor', setup: 'B', script: '/sw-floor-route-all.js' },
    { name: 'no-fetch', setup: 'B', script: '/sw-no-fetch.js' },
  ];
  const same = new Map<string, number[]>();
  const foreign = new Map<string, number[]>();
  const seated: Seated[] = [];
  try {
    for (const entrant of entrants) {
      seated.push(await seat(browser, world, entrant));
      same.set(entrant.name, []);
      foreign.set(entrant.name, []);
    }
    const sameUrl = `${world.app.origin}/static.css`;
    const foreignUrl = `${world.api.origin('other.test')}/assets/config.json?run=diagnose-foreign`;
    const perBlock = 20;
    for (const s of seated) {
      await s.page.evaluate(() => window.bench.setHeaders({}));
      await s.page.evaluate(([a, b]) => Promise.all([window.bench.sequential(a, 30), window.bench.sequential(b, 30)]), [sameUrl, foreignUrl] as const);
    }
    await rotate(seated, async (s) => {
      same.get(s.name)!.push((await s.page.evaluate(([u, n]) => window.bench.sequential(u, n), [sameUrl, perBlock] as const)) / perBlock);
      foreign.get(s.name)!.push((await s.page.evaluate(([u, n]) => window.bench.sequential(u, n), [foreignUrl, perBlock] as const)) / perBlock);
    });
  } finally {
    for (const s of seated) await s.close();
  }
  return { sameOrigin: rows(same, 'A no worker'), foreign: rows(foreign, 'A no worker') };
}

async function main(): Promise<void> {
  const found = findChromium();
  if (found === null) throw new Error(INSTALL_HINT);
  const buildOptions: { extra: string[]; alternativeSrc?: string } = { extra: ['floor-idb', 'floor-idb-loaded', 'route-all', 'floor-route-all', 'no-fetch'] };
  if (args.alt !== undefined) buildOptions.alternativeSrc = resolve(args.alt);
  const bundles = await buildBenchBundles(buildOptions);
  const world = await startWorld(bundles);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
  const loadBefore = loadavg()[0]!;
  try {
    const cold = await coldStart(browser, world);
    print('first allowlisted fetch after a stop', cold, FLOOR.name);
    if (args.only === 'cold') return;
    const non = await nonAllowlisted(browser, world);
    print('same-origin static file, per request', non.sameOrigin, 'A no worker');
    print('foreign origin, per request', non.foreign, 'A no worker');
    const load = { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) };
    console.log(`\nload average ${load.before} → ${load.after}; ${SAMPLES} samples per entrant`);
    const outDir = args.out ?? '';
    mkdirSync(outDir, { recursive: true });
    const report = { date: new Date().toISOString(), chromium: browser.version(), samples: SAMPLES, load, alt: args.alt ?? null, firstFetchAfterStop: cold, nonAllowlisted: non };
    writeFileSync(join(outDir, 'diagnosis.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close();
    await world.close();
  }
}

await main();
