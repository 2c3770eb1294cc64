// `npm run bench`: bearer-sw (C) against no worker (A) and three floors — the minimal worker (B),
// the route-all floor (R) and the IndexedDB floor (I) — in Chromium, the variants of each measure
// interleaved in rotating blocks over several rounds. It measures and reports (table on stdout,
// JSON and SVG under bench/results/); nothing here fails on a time.
//
// Then the DPoP measures (bench/dpop.ts): bearer-sw with oidcLogin({ dpop: true }) against the
// floors and C.
//
// Options: --rounds N (default 6), --quick (3 rounds, smaller samples: to try the bench out),
// --dpop-only (only the DPoP measures), --cold-only (only the first request after a stop, I and C,
// bench/cold-start.ts; --stops N per round, default 20; --alt DIR adds C-alt, bearer-sw built from
// another source tree), --out DIR (default bench/results). Without --cold-only, --alt DIR adds X to the
// DPoP measures: D built from another source tree (a `src/` whose imports resolve).
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from '../scripts/find-chromium.mjs';
import { formatColdStart, measureColdStart } from './cold-start.js';
import { formatDpop, measureDpop } from './dpop.js';
import { measureHotPath } from './hot-path.js';
import { measureRefreshFanout } from './refresh-fanout.js';
import { buildBenchBundles } from './support/build.js';
import { openBenchPage } from './support/open-page.js';
import { analyze, formatTable, LABELS, renderSvg, VARIANTS, type Measure, type Variant } from './support/report.js';
import { LARGE_BYTES, LARGE_PATH } from './support/servers.js';
import { controlWorkers, type WorkerControl } from './support/service-workers.js';
import { median, round } from './support/stats.js';
import { startWorld, type BenchWorld } from './support/world.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'dpop-only': { type: 'boolean', default: false },
    'cold-only': { type: 'boolean', default: false },
    stops: { type: 'string' },
    alt: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const quick = args.quick === true;
const ROUNDS = Number(args.rounds ?? (quick ? 3 : 6));
/**
 * Sample sizes of one round. Each measure is taken in small blocks that alternate between the
 * variants taking part (A B C, then B C A, then C A B …), so a burst of load from elsewhere on the
 * machine falls on all alike; a variant's value in a round is the median of its blocks.
 */
// (Cold starts: 15 per round; under load a median of 5 moved by up to 1.5× between rounds.)
const SIZES = quick
  ? { warm: 20, blocks: 4, perBlock: 20, bursts: 2, burst: 300, stops: 5 }
  : { warm: 30, blocks: 6, perBlock: 25, bursts: 2, burst: 300, stops: 15 };
const EXPIRIES = quick ? 2 : 5;
const DPOP_SIZES = quick ? { warm: 20, blocks: 4, perBlock: 20, stops: 3 } : { warm: 30, blocks: 6, perBlock: 25, stops: 5 };

type MeasureKey = 'sequential' | 'post' | 'large' | 'burst' | 'sameOrigin' | 'foreign' | 'firstAfterStop';
const KEYS: readonly MeasureKey[] = ['sequential', 'post', 'large', 'burst', 'sameOrigin', 'foreign', 'firstAfterStop'];

/** One variant's numbers in one round (ms); `null` for a measure it takes no part in. */
type RunSample = Record<MeasureKey, number | null>;

/** Who takes part in what: the API measures, the non-allowlisted ones, the first fetch after a stop. */
const ON_API: readonly Variant[] = ['A', 'B', 'C'];
const NOT_ALLOWLISTED: readonly Variant[] = ['A', 'R', 'C'];
const AFTER_STOP: readonly Variant[] = ['B', 'I', 'C'];

const SCRIPTS: Record<Variant, string> = { A: '', B: '/sw-b.js', R: '/sw-floor-route-all.js', I: '/sw-floor-idb.js', C: '/sw-c.js' };
/** How the page sets a variant up: A no worker, the floors register and wait for control, C hands over tokens. */
const SETUP: Record<Variant, 'A' | 'B' | 'C'> = { A: 'A', B: 'B', R: 'B', I: 'B', C: 'C' };
/** Size of the JSON body of the POST measure: a typical API write. */
const POST_BYTES = 1024;

/** One variant's browser context in a round: a fresh profile, its page set up. */
interface Contestant {
  variant: Variant;
  context: BrowserContext;
  page: Page;
  run: string;
  /** Attaches A's header to API calls only, as the workers do. */
  headers(forApi: boolean): Promise<void>;
  sequential(url: string, n: number): Promise<number>;
  sequentialPost(url: string, n: number): Promise<number>;
  burst(url: string, n: number): Promise<number>;
}

async function enter(browser: Browser, world: BenchWorld, variant: Variant, round: number): Promise<Contestant> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [SETUP[variant], SCRIPTS[variant], world.tokens] as const);
  const authorization = { authorization: `Bearer ${world.tokens.accessToken}` };
  return {
    variant,
    context,
    page,
    run: `${variant}${round}`,
    headers: (forApi) => page.evaluate((h) => window.bench.setHeaders(h), variant === 'A' && forApi ? authorization : {}),
    sequential: (url, n) => page.evaluate(([u, k]) => window.bench.sequential(u, k), [url, n] as const),
    sequentialPost: (url, n) => page.evaluate(([u, k, size]) => window.bench.sequentialPost(u, k, size), [url, n, POST_BYTES] as const),
    burst: (url, n) => page.evaluate(([u, k]) => window.bench.burst(u, k), [url, n] as const),
  };
}

/** Runs `step` for every contestant, in an order that rotates with `turn`. */
async function alternate(contestants: readonly Contestant[], turn: number, step: (c: Contestant) => Promise<void>): Promise<void> {
  for (let i = 0; i < contestants.length; i++) await step(contestants[(turn + i) % contestants.length]!);
}

async function runRound(browser: Browser, world: BenchWorld, round: number): Promise<Record<Variant, RunSample>> {
  const contestants: Contestant[] = [];
  try {
    for (const variant of VARIANTS) contestants.push(await enter(browser, world, variant, round));
    const among = (variants: readonly Variant[]) => contestants.filter((c) => variants.includes(c.variant));
    const onApi = among(ON_API);
    const notAllowlisted = among(NOT_ALLOWLISTED);
    const afterStop = among(AFTER_STOP);
    const api = (c: Contestant) => `${world.api.origin('api.test')}/v1/items?run=${c.run}`;
    const large = (c: Contestant) => `${world.api.origin('api.test')}${LARGE_PATH}?run=${c.run}`;
    const sameOrigin = `${world.app.origin}/static.css`;
    const foreign = (c: Contestant) => `${world.api.origin('other.test')}/assets/config.json?run=${c.run}-foreign`;
    const taken = Object.fromEntries(VARIANTS.map((v) => [v, Object.fromEntries(KEYS.map((k) => [k, [] as number[]]))])) as Record<Variant, Record<MeasureKey, number[]>>;
    const perRequest = async (c: Contestant, key: MeasureKey, run: Promise<number>, n: number) => {
      taken[c.variant][key].push((await run) / n);
    };

    // Warm up: connections, preflight cache, the worker's first events, the JIT.
    await alternate(contestants, round, async (c) => {
      await c.headers(true);
      if (ON_API.includes(c.variant) || AFTER_STOP.includes(c.variant)) await c.sequential(api(c), SIZES.warm);
      if (ON_API.includes(c.variant)) {
        await c.burst(api(c), 50);
        await c.sequentialPost(api(c), 5);
        await c.sequential(large(c), 5);
      }
      if (NOT_ALLOWLISTED.includes(c.variant)) {
        await c.headers(false);
        await c.sequential(sameOrigin, SIZES.warm);
        await c.sequential(foreign(c), SIZES.warm);
        await c.headers(true);
      }
    });
    for (let b = 0; b < SIZES.blocks; b++) {
      await alternate(onApi, b, async (c) => {
        await perRequest(c, 'sequential', c.sequential(api(c), SIZES.perBlock), SIZES.perBlock);
        await perRequest(c, 'post', c.sequentialPost(api(c), SIZES.perBlock), SIZES.perBlock);
        await perRequest(c, 'large', c.sequential(large(c), SIZES.perBlock), SIZES.perBlock);
      });
    }
    for (let b = 0; b < SIZES.bursts; b++) {
      await alternate(onApi, b, async (c) => {
        taken[c.variant].burst.push(await c.burst(api(c), SIZES.burst));
      });
    }
    for (const c of notAllowlisted) await c.headers(false);
    for (let b = 0; b < SIZES.blocks; b++) {
      await alternate(notAllowlisted, b, async (c) => {
        await perRequest(c, 'sameOrigin', c.sequential(sameOrigin, SIZES.perBlock), SIZES.perBlock);
        await perRequest(c, 'foreign', c.sequential(foreign(c), SIZES.perBlock), SIZES.perBlock);
      });
    }
    // The route-all floor and bearer-sw must really send these past the worker (where Chromium
    // reports which source its static router matched).
    const routed: string[] = [];
    for (const c of notAllowlisted.filter((x) => x.variant !== 'A')) {
      for (const url of [sameOrigin, foreign(c)]) {
        const source = await c.page.evaluate((u) => window.bench.routedSource(u), url);
        if (source !== null && source !== 'network') throw new Error(`${c.run}: ${url} was not routed to the network by a static route (${source})`);
        routed.push(`${c.variant} ${source ?? 'not reported'}`);
      }
    }
    if (round === 0) console.log(`  static router's source for non-allowlisted requests (same-origin, foreign): ${routed.join(', ')}`);
    // The first allowlisted fetch after DevTools stopped the worker.
    const controls = new Map<Variant, WorkerControl>();
    for (const c of afterStop) {
      await c.headers(true);
      controls.set(c.variant, await controlWorkers(c.context, c.page));
    }
    for (let s = 0; s < SIZES.stops; s++) {
      await alternate(afterStop, s, async (c) => {
        await controls.get(c.variant)!.stopAll();
        taken[c.variant].firstAfterStop.push(await c.sequential(api(c), 1));
      });
    }
    for (const control of controls.values()) await control.detach();

    // The numbers only count if every request was what it claims to be.
    for (const c of contestants) {
      const tally = world.api.tally(c.run);
      const callsApi = ON_API.includes(c.variant) || AFTER_STOP.includes(c.variant);
      if (callsApi && (tally.requests === 0 || tally.withToken !== tally.requests)) {
        throw new Error(`${c.run}: ${tally.requests - tally.withToken} of ${tally.requests} API requests went out without the token`);
      }
      if (world.api.tally(`${c.run}-foreign`).withAnyAuthorization !== 0) throw new Error(`${c.run}: a foreign-origin request carried a token`);
    }
    const sample = (v: Variant): RunSample => Object.fromEntries(KEYS.map((k) => [k, taken[v][k].length > 0 ? median(taken[v][k]) : null])) as RunSample;
    return Object.fromEntries(VARIANTS.map((v) => [v, sample(v)])) as Record<Variant, RunSample>;
  } finally {
    for (const c of contestants) await c.context.close();
  }
}

async function main(): Promise<void> {
  const found = findChromium();
  if (found === null) throw new Error(INSTALL_HINT);
  const started = Date.now();
  console.log(`bench: ${ROUNDS} rounds × ${VARIANTS.join(' ')}${quick ? ' (quick)' : ''}; building…`);
  const bundles = await buildBenchBundles({
    extra: ['floor-route-all', 'floor-idb', 'bearer-login', 'bearer-dpop'],
    ...(args.alt !== undefined && { alternativeSrc: resolve(args.alt), alternativeEntry: args['cold-only'] === true ? 'bearer' : 'bearer-dpop' }),
  });
  // --alt: C-alt with --cold-only (bench/cold-start.ts), X (D from the other tree) in the DPoP measures otherwise.
  const dpopOptions = { alt: args.alt !== undefined && args['cold-only'] !== true };
  const world = await startWorld(bundles);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
  const load = { before: loadavg()[0]!, after: 0 };
  const outDir = args.out ?? '';
  if (args['cold-only'] === true) {
    try {
      const cold = await measureColdStart(browser, world, ROUNDS, Number(args.stops ?? 20), args.alt !== undefined);
      console.log(`\n${formatColdStart(cold).join('\n')}`);
      const loadAverage1m = { before: round(load.before, 2), after: round(loadavg()[0]!, 2) };
      console.log(`load average ${loadAverage1m.before} → ${loadAverage1m.after}`);
      mkdirSync(outDir, { recursive: true });
      const report = { environment: { date: new Date().toISOString(), chromium: browser.version(), cpus: cpus().length, loadAverage1m, alt: args.alt ?? null }, cold };
      writeFileSync(join(outDir, 'bench-cold.json'), `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' ? round(v, 4) : v), 2)}\n`);
      console.log(`wrote ${join(outDir, 'bench-cold.json')}`);
    } finally {
      await browser.close();
      await world.close();
    }
    return;
  }
  if (args['dpop-only'] === true) {
    try {
      const dpop = await measureDpop(browser, world, ROUNDS, DPOP_SIZES, dpopOptions);
      console.log(`\n${formatDpop(dpop).join('\n')}`);
      console.log(`load average ${round(load.before, 1)} → ${round(loadavg()[0]!, 1)}`);
      mkdirSync(outDir, { recursive: true });
      const report = { environment: { date: new Date().toISOString(), chromium: browser.version(), cpus: cpus().length, rounds: ROUNDS, sizes: DPOP_SIZES }, dpop };
      writeFileSync(join(outDir, 'bench-dpop.json'), `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' ? round(v, 4) : v), 2)}\n`);
      console.log(`wrote ${join(outDir, 'bench-dpop.json')}`);
    } finally {
      await browser.close();
      await world.close();
    }
    return;
  }
  try {
    const samples = Object.fromEntries(VARIANTS.map((v) => [v, [] as RunSample[]])) as Record<Variant, RunSample[]>;
    for (let r = 0; r < ROUNDS; r++) {
      const round = await runRound(browser, world, r);
      for (const variant of VARIANTS) samples[variant].push(round[variant]);
      const last = (v: Variant, key: MeasureKey) => samples[v].at(-1)![key]?.toFixed(3);
      console.log(
        `  round ${r + 1}/${ROUNDS}: sequential ms/request A ${last('A', 'sequential')}  B ${last('B', 'sequential')}  C ${last('C', 'sequential')}; ` +
          `after a stop ms I ${last('I', 'firstAfterStop')}  C ${last('C', 'firstAfterStop')}`,
      );
    }
    const pick = (key: MeasureKey) => {
      const out: Measure['samples'] = {};
      for (const v of VARIANTS) {
        const values = samples[v].map((s) => s[key]).filter((x): x is number => x !== null);
        if (values.length > 0) out[v] = values;
      }
      return out;
    };
    const measures: Measure[] = [
      { key: 'sequential', title: 'Sequential fetch', unit: 'ms per request', target: { floor: 'B', max: 1.05 }, samples: pick('sequential') },
      { key: 'burst', title: `Burst of ${SIZES.burst} parallel`, unit: 'ms wall time', target: { floor: 'B', max: 1.05 }, samples: pick('burst') },
      { key: 'post', title: `POST, ${POST_BYTES / 1024} KB JSON`, unit: 'ms per request', target: { floor: 'B', max: 1.05 }, samples: pick('post') },
      { key: 'large', title: `Sequential, ${LARGE_BYTES / 1024} KB answer`, unit: 'ms per request', target: { floor: 'B', max: 1.05 }, samples: pick('large') },
      { key: 'sameOrigin', title: 'Same-origin static', unit: 'ms per request', target: { floor: 'R', max: 1.02 }, samples: pick('sameOrigin') },
      { key: 'foreign', title: 'Foreign origin', unit: 'ms per request', target: { floor: 'R', max: 1.02 }, samples: pick('foreign') },
      { key: 'firstAfterStop', title: 'First fetch after stop', unit: 'ms', target: { floor: 'I', max: 1.05 }, samples: pick('firstAfterStop') },
    ];
    const results = measures.map(analyze);

    console.log('\nhot path: counting IndexedDB calls in an instrumented bearer-sw worker…');
    const hotPath = await measureHotPath(browser, world);
    console.log(`refresh fan-out: ${EXPIRIES} expiries × 3 tabs × 30 parallel against oidc-provider…`);
    const fanout = await measureRefreshFanout(browser, world, EXPIRIES);
    console.log(`DPoP: ${ROUNDS} rounds × B I C D…`);
    const dpop = await measureDpop(browser, world, ROUNDS, DPOP_SIZES, dpopOptions);
    load.after = loadavg()[0]!;

    console.log(`\n${formatTable(results)}`);
    console.log('\n(Each variant: median over rounds, min–max in parentheses. Ratios: C over the other variant round by round,');
    console.log(' where they ran in alternating blocks, then the median over rounds (min–max); targets are read from them.');
    console.log(` ${VARIANTS.map((v) => LABELS[v]).join('; ')}.)`);
    // How noisy the machine was: the spread of the same measurement across rounds.
    const noise = Object.fromEntries(
      results.flatMap((r) => VARIANTS.flatMap((v) => (r.variants[v] ? [[`${r.key}.${v}`, round(r.variants[v].max / r.variants[v].min, 2)]] : []))),
    );
    console.log(`\nnoise (max/min across rounds): sequential A ${noise['sequential.A']}, B ${noise['sequential.B']}, C ${noise['sequential.C']}; load average ${round(load.before, 1)} → ${round(loadavg()[0]!, 1)}`);
    const single = fanout.every((e) => e.refreshCalls === 1);
    console.log(`refresh calls per expiry (3 tabs × 30 parallel): ${fanout.map((e) => e.refreshCalls).join(', ')} — target exactly 1: ${single ? 'met' : 'MISSED'}`);
    for (const e of fanout) {
      if (e.ok !== e.requests || e.distinctTokens !== 1 || !e.tokenReplaced) console.log(`  WARNING: ${JSON.stringify(e)}`);
    }
    console.log(
      `IndexedDB while warm: ${hotPath.warmOpens} opens, ${hotPath.warmTransactions} transactions for ${hotPath.warmRequests} requests; ` +
        `first request after a stop: ${hotPath.afterStopOpens} open, ${hotPath.afterStopTransactions} transaction(s)`,
    );
    console.log(`refresh calls during the timed runs (token valid): ${world.api.tokenCalls}`);
    console.log(`\n${formatDpop(dpop).join('\n')}`);

    const environment = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      node: process.version,
      cpus: cpus().length,
      loadAverage1m: { before: round(load.before, 2), after: round(load.after, 2) },
      noise,
      rounds: ROUNDS,
      sizes: SIZES,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(outDir, { recursive: true });
    const report = {
      environment,
      variants: {
        A: 'no service worker; the page sets the header',
        B: 'floor: minimal hand-written worker, one constant header',
        R: 'route-all floor: B plus one static route sending all but the API to the network',
        I: 'IndexedDB floor: B reading its token from IndexedDB once per start',
        C: 'bearer-sw, 5 rules, oauth2Refresh, static routes, debug off, valid token in store',
        D: "DPoP measures only: bearer-sw with oidcLogin({ dpop: true }), C's rules, a DPoP-bound session and its non-extractable key in store",
      },
      results,
      refreshCallsPerExpiry: fanout,
      refreshSingleFlight: single,
      hotPath,
      refreshCallsDuringTimedRuns: world.api.tokenCalls,
      dpop,
      raw: samples,
    };
    writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(report, (_, v: unknown) => (typeof v === 'number' ? round(v, 4) : v), 2)}\n`);
    const subtitle = `Chromium ${environment.chromium}, ${ROUNDS} rounds, ${environment.cpus} CPUs, load ${environment.loadAverage1m.before}→${environment.loadAverage1m.after}, ${environment.date.slice(0, 10)}`;
    writeFileSync(join(outDir, 'bench.svg'), renderSvg(results, subtitle));
    console.log(`\nwrote ${join(outDir, 'bench.json')} and bench.svg in ${environment.durationSeconds} s`);
  } finally {
    await browser.close();
    await world.close();
  }
}

await main();
