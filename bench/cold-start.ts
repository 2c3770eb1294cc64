// `npm run bench -- --cold-only`: only the first allowlisted request after a worker stop, the
// measure held to the IndexedDB floor (I), with more stops per round than the full run takes, so
// its median settles in minutes. With `--alt DIR`, C-alt (bearer-sw built from another source
// tree, a `src/` whose imports resolve) takes its turn in the same rotation: a change measured
// against the code it changes, in the same run. Like the rest of the bench it measures and reports.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { openBenchPage } from './support/open-page.js';
import { controlWorkers, type WorkerControl } from './support/service-workers.js';
import { median, round, summarize, type Summary } from './support/stats.js';
import type { BenchWorld } from './support/world.js';

type ColdVariant = 'I' | 'C' | 'C-alt';
const SCRIPTS: Record<ColdVariant, string> = { I: '/sw-floor-idb.js', C: '/sw-c.js', 'C-alt': '/sw-bearer-alt.js' };

/** What {@link measureColdStart} found: ms per variant and ratios, each a median over rounds (min–max). */
export interface ColdStartResult {
  rounds: number;
  stopsPerRound: number;
  firstAfterStop: Partial<Record<ColdVariant, Summary | null>>;
  /** Round by round: each round's median over its stops, C over the same round's I (and C-alt). */
  ratios: { CI: Summary | null; altI?: Summary | null; CAlt?: Summary | null };
  /** Every round's medians, ms. */
  raw: Partial<Record<ColdVariant, number[]>>;
}

interface Entrant {
  variant: ColdVariant;
  context: BrowserContext;
  page: Page;
  control: WorkerControl;
  run: string;
}

async function enter(browser: Browser, world: BenchWorld, variant: ColdVariant, round: number): Promise<Entrant> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  // I registers as the floors do; bearer-sw (and its alternative) is handed the tokens by the page.
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [variant === 'I' ? 'B' : 'C', SCRIPTS[variant], world.tokens] as const);
  return { variant, context, page, control: await controlWorkers(context, page), run: `cold-${variant}${round}` };
}

const sequential = (e: Entrant, url: string, n: number) => e.page.evaluate(([u, k]) => window.bench.sequential(u, k), [url, n] as const);

/**
 * Runs `rounds` rounds of `stops` cold starts per variant, the variants taking turns in an order
 * that rotates with every stop. Throws when a request went out without the token.
 */
export async function measureColdStart(browser: Browser, world: BenchWorld, rounds: number, stops: number, withAlt: boolean): Promise<ColdStartResult> {
  const variants: ColdVariant[] = withAlt ? ['I', 'C', 'C-alt'] : ['I', 'C'];
  const raw = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<ColdVariant, number[]>;
  for (let r = 0; r < rounds; r++) {
    const entrants: Entrant[] = [];
    try {
      for (const variant of variants) entrants.push(await enter(browser, world, variant, r));
      const api = (e: Entrant) => `${world.api.origin('api.test')}/v1/items?run=${e.run}`;
      for (const e of entrants) await sequential(e, api(e), 20);
      const taken = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<ColdVariant, number[]>;
      for (let s = 0; s < stops; s++) {
        for (let i = 0; i < entrants.length; i++) {
          const e = entrants[(r + s + i) % entrants.length]!;
          await e.control.stopAll();
          taken[e.variant].push(await sequential(e, api(e), 1));
        }
      }
      for (const e of entrants) {
        const tally = world.api.tally(e.run);
        if (tally.requests === 0 || tally.withToken !== tally.requests) {
          throw new Error(`${e.run}: ${tally.requests - tally.withToken} of ${tally.requests} API requests went out without the token`);
        }
      }
      for (const v of variants) raw[v].push(median(taken[v]));
      console.log(`  cold round ${r + 1}/${rounds}: first fetch after a stop, median of ${stops}, ms ${variants.map((v) => `${v} ${round(raw[v].at(-1)!, 2)}`).join('  ')}`);
    } finally {
      for (const e of entrants) {
        await e.control.detach().catch(() => undefined);
        await e.context.close();
      }
    }
  }
  const ratio = (a: ColdVariant, b: ColdVariant) => summarize(raw[a].map((x, i) => x / raw[b][i]!));
  return {
    rounds,
    stopsPerRound: stops,
    firstAfterStop: Object.fromEntries(variants.map((v) => [v, summarize(raw[v])])),
    ratios: withAlt ? { CI: ratio('C', 'I'), altI: ratio('C-alt', 'I'), CAlt: ratio('C', 'C-alt') } : { CI: ratio('C', 'I') },
    raw,
  };
}

/** The cold measure's report, as printed lines. */
export function formatColdStart(result: ColdStartResult): string[] {
  const s = (x: Summary | null | undefined, digits: number) => (x ? `${round(x.median, digits).toFixed(digits)} (${round(x.min, digits).toFixed(digits)}–${round(x.max, digits).toFixed(digits)})` : 'n/a');
  const ms = Object.entries(result.firstAfterStop).map(([v, x]) => `${v} ${s(x, 2)}`);
  const lines = [
    `first allowlisted fetch after a stop (${result.rounds} rounds × ${result.stopsPerRound} stops; median over rounds, min–max):`,
    `  ms: ${ms.join(', ')}`,
    `  C / I ${s(result.ratios.CI, 3)} — target ≤ 1.05: ${result.ratios.CI ? (result.ratios.CI.median <= 1.05 ? 'met' : 'MISSED') : 'n/a'}`,
  ];
  if (result.ratios.altI !== undefined) lines.push(`  C-alt / I ${s(result.ratios.altI, 3)}; C / C-alt ${s(result.ratios.CAlt, 3)}`);
  return lines;
}
