// `npm run bench`: bearer-sw against no worker (A) and a minimal hand-written worker (B, the
// floor), in Chromium, variants interleaved A B C A B C … over several rounds. It measures and
// reports (table on stdout, JSON and SVG under bench/results/); nothing here fails on a time.
//
// Options: --rounds N (default 10), --quick (3 rounds, smaller samples: to try the bench out),
// --out DIR (default bench/results).
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from '../scripts/find-chromium.mjs';
import { measureHotPath } from './hot-path.js';
import { measureRefreshFanout } from './refresh-fanout.js';
import { buildBenchBundles } from './support/build.js';
import { openBenchPage } from './support/open-page.js';
import { analyze, formatTable, renderSvg, VARIANTS, type Measure, type Variant } from './support/report.js';
import { controlWorkers, type WorkerControl } from './support/service-workers.js';
import { median, round } from './support/stats.js';
import { startWorld, type BenchWorld } from './support/world.js';

const fmt3 = (value: number | null) => (value === null ? '—' : round(value).toFixed(3));

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const quick = args.quick === true;
const ROUNDS = Number(args.rounds ?? (quick ? 3 : 10));
/**
 * Sample sizes of one round. Each measure is taken in small blocks that alternate between the
 * variants (A B C, then B C A, then C A B …), so a burst of load from elsewhere on the machine
 * falls on all three alike; a variant's value in a round is the median of its blocks.
 */
const SIZES = quick
  ? { warm: 20, blocks: 4, perBlock: 25, bursts: 2, burst: 300, stops: 3 }
  : { warm: 30, blocks: 8, perBlock: 25, bursts: 2, burst: 300, stops: 5 };
const EXPIRIES = quick ? 2 : 5;

/** One variant's numbers in one round (ms). */
interface RunSample {
  sequential: number;
  post: number;
  burst: number;
  sameOrigin: number;
  foreign: number;
  firstAfterStop: number | null;
}

const SCRIPTS: Record<Variant, string> = { A: '', B: '/sw-b.js', C: '/sw-c.js' };
/** Size of the JSON body of the POST measure: a typical API write. */
const POST_BYTES = 1024;

/** One variant's browser context in a round: a fresh profile, its page set up. */
interface Contestant {
  variant: Variant;
  context: BrowserContext;
  page: Page;
  run: string;
  /** Attaches A's header to API calls only, as B's and C's workers do. */
  headers(forApi: boolean): Promise<void>;
  sequential(url: string, n: number): Promise<number>;
  sequentialPost(url: string, n: number): Promise<number>;
  burst(url: string, n: number): Promise<number>;
}

async function enter(browser: Browser, world: BenchWorld, variant: Variant, round: number): Promise<Contestant> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [variant, SCRIPTS[variant], world.tokens] as const);
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
    const api = (c: Contestant) => `${world.api.origin('api.test')}/v1/items?run=${c.run}`;
    const sameOrigin = `${world.app.origin}/static.css`;
    const foreign = (c: Contestant) => `${world.api.origin('other.test')}/assets/config.json?run=${c.run}-foreign`;
    const blocks = () => ({ sequential: [] as number[], post: [] as number[], burst: [] as number[], sameOrigin: [] as number[], foreign: [] as number[], stop: [] as number[] });
    const taken = { A: blocks(), B: blocks(), C: blocks() };

    // Warm up: connections, preflight cache, the worker's first events, the JIT.
    await alternate(contestants, round, async (c) => {
      await c.headers(true);
      await c.sequential(api(c), SIZES.warm);
      await c.burst(api(c), 50);
      await c.sequentialPost(api(c), 5);
      await c.headers(false);
      await c.sequential(sameOrigin, SIZES.warm);
      await c.sequential(foreign(c), SIZES.warm);
      await c.headers(true);
    });
    for (let b = 0; b < SIZES.blocks; b++) {
      await alternate(contestants, b, async (c) => {
        taken[c.variant].sequential.push((await c.sequential(api(c), SIZES.perBlock)) / SIZES.perBlock);
        taken[c.variant].post.push((await c.sequentialPost(api(c), SIZES.perBlock)) / SIZES.perBlock);
      });
    }
    for (let b = 0; b < SIZES.bursts; b++) {
      await alternate(contestants, b, async (c) => {
        taken[c.variant].burst.push(await c.burst(api(c), SIZES.burst));
      });
    }
    for (const c of contestants) await c.headers(false);
    for (let b = 0; b < SIZES.blocks; b++) {
      await alternate(contestants, b, async (c) => {
        taken[c.variant].sameOrigin.push((await c.sequential(sameOrigin, SIZES.perBlock)) / SIZES.perBlock);
        taken[c.variant].foreign.push((await c.sequential(foreign(c), SIZES.perBlock)) / SIZES.perBlock);
      });
    }
    // The first allowlisted fetch after DevTools stopped the worker (B and C; A has none).
    const withWorkers = contestants.filter((c) => c.variant !== 'A');
    const controls = new Map<Variant, WorkerControl>();
    for (const c of withWorkers) {
      await c.headers(true);
      controls.set(c.variant, await controlWorkers(c.context, c.page));
    }
    for (let s = 0; s < SIZES.stops; s++) {
      await alternate(withWorkers, s, async (c) => {
        await controls.get(c.variant)!.stopAll();
        taken[c.variant].stop.push(await c.sequential(api(c), 1));
      });
    }
    for (const control of controls.values()) await control.detach();

    // The numbers only count if every request was what it claims to be.
    for (const c of contestants) {
      const tally = world.api.tally(c.run);
      if (tally.requests === 0 || tally.withToken !== tally.requests) {
        throw new Error(`${c.run}: ${tally.requests - tally.withToken} of ${tally.requests} API requests went out without the token`);
      }
      if (world.api.tally(`${c.run}-foreign`).withAnyAuthorization !== 0) throw new Error(`${c.run}: a foreign-origin request carried a token`);
    }
    const sample = (v: Variant): RunSample => ({
      sequential: median(taken[v].sequential),
      post: median(taken[v].post),
      burst: median(taken[v].burst),
      sameOrigin: median(taken[v].sameOrigin),
      foreign: median(taken[v].foreign),
      firstAfterStop: taken[v].stop.length > 0 ? median(taken[v].stop) : null,
    });
    return { A: sample('A'), B: sample('B'), C: sample('C') };
  } finally {
    for (const c of contestants) await c.context.close();
  }
}

async function main(): Promise<void> {
  const found = findChromium();
  if (found === null) throw new Error(INSTALL_HINT);
  const started = Date.now();
  console.log(`bench: ${ROUNDS} rounds × A B C${quick ? ' (quick)' : ''}; building…`);
  const bundles = await buildBenchBundles();
  const world = await startWorld(bundles);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS });
  const load = { before: loadavg()[0]!, after: 0 };
  try {
    const samples: Record<Variant, RunSample[]> = { A: [], B: [], C: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const round = await runRound(browser, world, r);
      for (const variant of VARIANTS) samples[variant].push(round[variant]);
      const last = (v: Variant) => samples[v].at(-1)!.sequential.toFixed(3);
      console.log(`  round ${r + 1}/${ROUNDS}: sequential ms/request A ${last('A')}  B ${last('B')}  C ${last('C')}`);
    }
    const pick = (key: keyof RunSample) => {
      const out: Measure['samples'] = {};
      for (const v of VARIANTS) {
        const values = samples[v].map((s) => s[key]).filter((x): x is number => x !== null);
        if (values.length > 0) out[v] = values;
      }
      return out;
    };
    const measures: Measure[] = [
      { key: 'sequential', title: 'Sequential fetch', unit: 'ms per request', target: { ratio: 'C/B', max: 1.05 }, samples: pick('sequential') },
      { key: 'post', title: `POST, ${POST_BYTES / 1024} KB JSON`, unit: 'ms per request', target: null, samples: pick('post') },
      { key: 'burst', title: `Burst of ${SIZES.burst} parallel`, unit: 'ms wall time', target: { ratio: 'C/B', max: 1.05 }, samples: pick('burst') },
      { key: 'sameOrigin', title: 'Same-origin static', unit: 'ms per request', target: { ratio: 'C/A', max: 1.02 }, samples: pick('sameOrigin') },
      { key: 'foreign', title: 'Foreign origin', unit: 'ms per request', target: { ratio: 'C/A', max: 1.02 }, samples: pick('foreign') },
      { key: 'firstAfterStop', title: 'First fetch after stop', unit: 'ms', target: { ratio: 'C/B', max: 1.2 }, samples: pick('firstAfterStop') },
    ];
    const results = measures.map(analyze);

    console.log('\nhot path: counting IndexedDB calls in an instrumented bearer-sw worker…');
    const hotPath = await measureHotPath(browser, world);
    console.log(`refresh fan-out: ${EXPIRIES} expiries × 3 tabs × 30 parallel against oidc-provider…`);
    const fanout = await measureRefreshFanout(browser, world, EXPIRIES);
    load.after = loadavg()[0]!;

    console.log(`\n${formatTable(results)}`);
    console.log('\n(A, B, C: median over rounds, min–max in parentheses. Ratios: taken round by round, where the variants ran in');
    console.log(' alternating blocks, then the median over rounds (min–max); targets are read from them. Ratios of the medians:');
    for (const r of results) console.log(`  ${r.title}: C/B ${fmt3(r.ratios['C/B'])}, C/A ${fmt3(r.ratios['C/A'])}`);
    // How noisy the machine was: the spread of the same measurement across rounds.
    const noise = Object.fromEntries(
      results.flatMap((r) => VARIANTS.flatMap((v) => (r.variants[v] ? [[`${r.key}.${v}`, round(r.variants[v].max / r.variants[v].min, 2)]] : []))),
    );
    console.log(`\nnoise (max/min across rounds): sequential A ${noise['sequential.A']}, B ${noise['sequential.B']}, C ${noise['sequential.C']}; load average ${round(load.before, 1)} → ${round(loadavg()[0]!, 1)}`);
    console.log(`refresh calls per expiry (3 tabs × 30 parallel): ${fanout.map((e) => e.refreshCalls).join(', ')}`);
    for (const e of fanout) {
      if (e.ok !== e.requests || e.distinctTokens !== 1 || !e.tokenReplaced) console.log(`  WARNING: ${JSON.stringify(e)}`);
    }
    console.log(
      `IndexedDB while warm: ${hotPath.warmOpens} opens, ${hotPath.warmTransactions} transactions for ${hotPath.warmRequests} requests; ` +
        `first request after a stop: ${hotPath.afterStopOpens} open, ${hotPath.afterStopTransactions} transaction(s)`,
    );
    console.log(`refresh calls during the timed runs (token valid): ${world.api.tokenCalls}`);

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
    const outDir = args.out ?? '';
    mkdirSync(outDir, { recursive: true });
    const report = {
      environment,
      variants: { A: 'no service worker; the page sets the header', B: 'floor: minimal hand-written worker, one constant header', C: 'bearer-sw, 5 rules, oauth2Refresh, valid token in store' },
      results,
      refreshCallsPerExpiry: fanout,
      hotPath,
      refreshCallsDuringTimedRuns: world.api.tokenCalls,
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
