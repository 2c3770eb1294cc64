// `npx tsx bench/cold-trace.ts`: where the first request after a worker stop spends its time, for
// bearer-sw (C) and the IndexedDB floor (I), from marks taken inside traced builds of both
// (bench/workers/trace.ts) on the clock the page shares with its workers. Stops the worker,
// fetches once, reads the marks of that worker life; rotates the entrants; medians per phase.
// Like the benchmark it measures and reports.
//
// Options: --samples N (default 30), --out DIR (default bench/results: cold-trace.json), --alt DIR
// (C-alt: the traced bearer-sw built from another source tree, a `src/` whose imports resolve, to
// measure a change against the current code in the same run), --trimmed (20 %-trimmed means instead
// of medians: the marks tick in steps of 0.1 ms, a mean over many starts resolves finer). A traced
// source tree may add its own marks with `self.benchMark?.(name)`; --raw also writes every mark of
// every sample (cold-trace-raw.json, ms after the page's fetch), for a phase the tables do not name.
// --login (adds L and D: bearer-sw with oidcLogin without and with DPoP, their session seeded as
// dpop.ts does), --alt-entry NAME (the traced worker --alt builds: bearer-traced, bearer-login-traced
// or bearer-dpop-traced), --only LIST (comma-separated entrant letters to keep: I, C, C0 without
// routes, L, D, alt), --marks (every mark of each entrant, median ms from the fetch event).
import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from '../scripts/find-chromium.mjs';
import { buildBenchBundles } from './support/build.js';
import { openBenchPage } from './support/open-page.js';
import { seedSession } from './dpop.js';
import { controlWorkers, type WorkerControl } from './support/service-workers.js';
import { median, round, trimmedMean } from './support/stats.js';
import { startWorld, type BenchWorld } from './support/world.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '30' },
    alt: { type: 'string' },
    'alt-entry': { type: 'string', default: 'bearer-traced' },
    login: { type: 'boolean', default: false },
    only: { type: 'string' },
    marks: { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
    trimmed: { type: 'boolean', default: false },
    raw: { type: 'boolean', default: false },
  },
});
const statistic = args.trimmed === true ? trimmedMean : median;
const SAMPLES = Number(args.samples);

/** The phases of a cold first request, each from one mark (or the page's clock) to the next. */
const PHASES: readonly { name: string; from: string; to: string }[] = [
  { name: 'browser starts the worker (until its global scope exists)', from: 'pageFetch', to: 'timeOrigin' },
  { name: 'script loaded and compiled, until its first statement', from: 'timeOrigin', to: 'scriptStart' },
  { name: 'modules evaluated (idb, jose, workbox-core, bearer-sw)', from: 'scriptStart', to: 'modulesEvaluated' },
  { name: 'install call (config compiled, session, listeners)', from: 'modulesEvaluated', to: 'scriptEnd' },
  { name: 'script end → fetch event dispatched', from: 'scriptEnd', to: 'fetchEvent' },
  { name: 'fetch event → token attached, network fetch called', from: 'fetchEvent', to: 'networkFetch' },
  { name: 'network: response headers', from: 'networkFetch', to: 'networkResponse' },
  { name: 'response to the page, body read', from: 'networkResponse', to: 'pageEnd' },
  { name: 'total', from: 'pageFetch', to: 'pageEnd' },
];
/** IndexedDB on the way, for the same samples. */
const IDB: readonly { name: string; from: string; to: string }[] = [
  { name: 'script start → IndexedDB open called', from: 'scriptStart', to: 'idbOpen' },
  { name: 'IndexedDB open (and version check)', from: 'idbOpen', to: 'idbOpened' },
  { name: 'script end → IndexedDB open succeeded', from: 'scriptEnd', to: 'idbOpened' },
  { name: 'open → token read', from: 'idbOpened', to: 'idbRead' },
  { name: '  of which: open → read transaction started', from: 'idbOpened', to: 'idbTransaction' },
  { name: '  of which: transaction → token read', from: 'idbTransaction', to: 'idbRead' },
  { name: 'fetch event → respondWith called', from: 'fetchEvent', to: 'respondWith' },
  { name: 'token read → fetch event (< 0: the request waited for it)', from: 'idbRead', to: 'fetchEvent' },
];
/** The login's (L, D) own steps: its second database, and DPoP's WebCrypto calls. */
const LOGIN: readonly { name: string; from: string; to: string }[] = [
  { name: 'script start → session database open called', from: 'scriptStart', to: 'idbOpen:bearer-sw' },
  { name: 'session database open', from: 'idbOpen:bearer-sw', to: 'idbOpened:bearer-sw' },
  { name: 'session database opened → session read', from: 'idbOpened:bearer-sw', to: 'idbRead:session' },
  { name: 'script start → login database open called', from: 'scriptStart', to: 'idbOpen:bearer-sw-login' },
  { name: 'login database open', from: 'idbOpen:bearer-sw-login', to: 'idbOpened:bearer-sw-login' },
  { name: 'login database opened → discovery read', from: 'idbOpened:bearer-sw-login', to: 'idbRead:discovery' },
  { name: 'session read → discovery read', from: 'idbRead:session', to: 'idbRead:discovery' },
  { name: 'session read → exportKey called', from: 'idbRead:session', to: 'subtle:exportKey' },
  { name: 'exportKey', from: 'subtle:exportKey', to: 'subtle:exportKey:done' },
  { name: 'session read → digest called (ath)', from: 'idbRead:session', to: 'subtle:digest' },
  { name: 'digest', from: 'subtle:digest', to: 'subtle:digest:done' },
  { name: 'sign called → signed', from: 'subtle:sign', to: 'subtle:sign:done' },
  { name: 'session read → sign called', from: 'idbRead:session', to: 'subtle:sign' },
  { name: 'signed → network fetch called', from: 'subtle:sign:done', to: 'networkFetch' },
  { name: 'session read → network fetch called', from: 'idbRead:session', to: 'networkFetch' },
  { name: 'fetch event → session read (< 0: read first)', from: 'fetchEvent', to: 'idbRead:session' },
];

interface Entrant {
  /** Its letter for --only. */
  key: string;
  name: string;
  setup: 'B' | 'C';
  script: string;
  /** The login variants' session, written before the worker registers (with a DPoP key pair: D). */
  seed?: 'login' | 'dpop';
}
const ENTRANTS: Entrant[] = [
  { key: 'I', name: 'I IndexedDB floor', setup: 'B', script: '/sw-floor-idb-traced.js' },
  { key: 'C', name: 'C bearer-sw', setup: 'C', script: '/sw-bearer-traced.js' },
  { key: 'C0', name: 'C without routes', setup: 'C', script: '/sw-bearer-traced.js?routes=0' },
];
if (args.login) {
  ENTRANTS.push(
    { key: 'L', name: 'L login', setup: 'B', script: '/sw-bearer-login-traced.js', seed: 'login' },
    { key: 'D', name: 'D login + DPoP', setup: 'B', script: '/sw-bearer-dpop-traced.js', seed: 'dpop' },
  );
}

interface Seated extends Entrant {
  page: Page;
  control: WorkerControl;
  samples: { times: Record<string, number>; transactions: number }[];
}

async function seat(browser: Browser, world: BenchWorld, entrant: Entrant): Promise<Seated> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  if (entrant.seed !== undefined) await seedSession(page, world.tokens.accessToken, world.tokens.refreshToken, entrant.seed === 'dpop');
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [entrant.setup, entrant.script, world.tokens] as const);
  return { ...entrant, page, control: await controlWorkers(context, page), samples: [] };
}

async function sample(s: Seated, url: string): Promise<void> {
  await s.control.stopAll();
  const { start, end } = await s.page.evaluate((u) => window.bench.timedFetch(u), url);
  const trace = await s.page.evaluate(() => window.bench.workerTrace());
  // A worker that was not stopped would answer with the marks of an earlier life.
  if (trace.timeOrigin < start) throw new Error(`${s.name}: the worker that answered started before the fetch`);
  s.samples.push({ times: { ...trace.marks, timeOrigin: trace.timeOrigin, pageFetch: start, pageEnd: end }, transactions: trace.transactions });
}

function table(seated: readonly Seated[], phases: typeof PHASES) {
  return phases.map((phase) => {
    const row: Record<string, number | string | null> = { phase: phase.name };
    for (const s of seated) {
      const spans = s.samples.flatMap(({ times }) => (times[phase.from] !== undefined && times[phase.to] !== undefined ? [times[phase.to]! - times[phase.from]!] : []));
      row[s.name] = spans.length > 0 ? round(statistic(spans), args.trimmed === true ? 3 : 2) : null;
    }
    return row;
  });
}

function print(title: string, rows: ReturnType<typeof table>, seated: readonly Seated[]): void {
  console.log(`\n${title} (${args.trimmed === true ? '20 %-trimmed mean' : 'median'} ms over ${SAMPLES} cold starts each)`);
  console.log(`  ${'phase'.padEnd(58)} ${seated.map((s) => s.name.padStart(18)).join(' ')}`);
  for (const row of rows) {
    console.log(`  ${String(row.phase).padEnd(58)} ${seated.map((s) => (row[s.name] === null ? '—' : Number(row[s.name]).toFixed(2)).padStart(18)).join(' ')}`);
  }
}

/** Every mark of the traced lives (a probe build's too), median ms from the fetch event, in order. */
function printMarks(seated: readonly Seated[]): void {
  for (const s of seated) {
    const names = [...new Set(s.samples.flatMap(({ times }) => Object.keys(times)))];
    const rows = names.flatMap((name) => {
      const spans = s.samples.flatMap(({ times }) => (times[name] !== undefined && times['fetchEvent'] !== undefined ? [times[name]! - times['fetchEvent']!] : []));
      return spans.length === 0 ? [] : [{ name, at: median(spans), seen: spans.length }];
    });
    console.log(`\n${s.name}: every mark, median ms from the fetch event (samples that have it)`);
    for (const row of rows.sort((a, b) => a.at - b.at)) console.log(`  ${row.name.padEnd(40)} ${row.at.toFixed(2).padStart(8)}  (${row.seen})`);
  }
}

async function main(): Promise<void> {
  const found = findChromium();
  if (found === null) throw new Error(INSTALL_HINT);
  const extra = ['floor-idb-traced', 'bearer-traced', ...(args.login ? ['bearer-login-traced', 'bearer-dpop-traced'] : [])];
  const buildOptions: Parameters<typeof buildBenchBundles>[0] = { extra };
  if (args.alt !== undefined) {
    const entry = args['alt-entry'] ?? 'bearer-traced';
    buildOptions.alternativeSrc = resolve(args.alt);
    buildOptions.alternativeEntry = entry;
    const seed = entry === 'bearer-dpop-traced' ? 'dpop' : entry === 'bearer-login-traced' ? 'login' : undefined;
    const letter = seed === 'dpop' ? 'D' : seed === 'login' ? 'L' : 'C';
    ENTRANTS.push({ key: 'alt', name: `${letter}-alt`, setup: seed === undefined ? 'C' : 'B', script: '/sw-bearer-alt.js', ...(seed !== undefined && { seed }) });
  }
  if (args.only !== undefined) {
    const keep = new Set(args.only.split(','));
    ENTRANTS.splice(0, ENTRANTS.length, ...ENTRANTS.filter((e) => keep.has(e.key)));
  }
  const bundles = await buildBenchBundles(buildOptions);
  const world = await startWorld(bundles);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
  const loadBefore = loadavg()[0]!;
  const seated: Seated[] = [];
  try {
    for (const entrant of ENTRANTS) seated.push(await seat(browser, world, entrant));
    // One run name per entrant: D's requests must carry DPoP and a proof, the others' the Bearer token.
    const url = (s: Seated) => `${world.api.origin('api.test')}/v1/items?run=cold-trace-${s.key}`;
    for (const s of seated) await s.page.evaluate((u) => window.bench.sequential(u, 20), url(s));
    for (let i = 0; i < SAMPLES; i++) {
      for (let j = 0; j < seated.length; j++) {
        const s = seated[(i + j) % seated.length]!;
        await sample(s, url(s));
      }
    }
    for (const s of seated) {
      const tally = world.api.tally(`cold-trace-${s.key}`);
      const good = s.seed === 'dpop' ? tally.withDpop : tally.withToken;
      if (tally.requests === 0 || good !== tally.requests) throw new Error(`${s.name}: ${tally.requests - good} requests went out without the token`);
    }
    const phases = table(seated, PHASES);
    const idb = table(seated, IDB);
    print('first allowlisted fetch after a stop, by phase', phases, seated);
    print('IndexedDB during it', idb, seated);
    const login = seated.some((s) => s.seed !== undefined) ? table(seated, LOGIN) : [];
    if (login.length > 0) print("the login's databases and DPoP's WebCrypto during it", login, seated);
    if (args.marks) printMarks(seated);
    const transactions = Object.fromEntries(seated.map((s) => [s.name, median(s.samples.map((x) => x.transactions))]));
    console.log(`  IndexedDB transactions until the answer: ${Object.entries(transactions).map(([n, t]) => `${n} ${t}`).join(', ')}`);
    const load = { before: round(loadBefore, 2), after: round(loadavg()[0]!, 2) };
    console.log(`\nload average ${load.before} → ${load.after}`);
    const outDir = args.out ?? '';
    mkdirSync(outDir, { recursive: true });
    const report = { date: new Date().toISOString(), chromium: browser.version(), samples: SAMPLES, statistic: args.trimmed === true ? '20%-trimmed mean' : 'median', load, phases, idb, login, transactions };
    writeFileSync(join(outDir, 'cold-trace.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (args.raw === true) {
      // One sample a line: each mark in ms after the page's fetch.
      const lines = seated.flatMap((s) => s.samples.map(({ times }) => JSON.stringify({ entrant: s.name, ...Object.fromEntries(Object.entries(times).map(([k, t]) => [k, round(t - times.pageFetch!, 2)])) })));
      writeFileSync(join(outDir, 'cold-trace-raw.json'), `[\n${lines.join(',\n')}\n]\n`);
    }
  } finally {
    await browser.close();
    await world.close();
  }
}

await main();
