import type { Browser } from '@playwright/test';
import { openBenchPage } from './support/open-page.js';
import { controlWorkers } from './support/service-workers.js';
import type { BenchWorld } from './support/world.js';

/** IndexedDB use by the instrumented bearer-sw worker (never part of the timed runs). */
export interface HotPathResult {
  /** Allowlisted requests answered by the warm worker during the count. */
  warmRequests: number;
  /** `indexedDB.open()` and `IDBDatabase.transaction()` calls during them: 0 means memory only. */
  warmOpens: number;
  warmTransactions: number;
  /** The same for the first request after the worker was stopped (loading the session once). */
  afterStopOpens: number;
  afterStopTransactions: number;
}

/**
 * Counts IndexedDB calls while a warm bearer-sw worker serves sequential and parallel requests,
 * then for the first request after a stop.
 */
export async function measureHotPath(browser: Browser, world: BenchWorld): Promise<HotPathResult> {
  const context = await browser.newContext();
  try {
    const page = await openBenchPage(context, world.app.origin);
    await page.evaluate(([s, t]) => window.bench.setup('C', s, t), ['/sw-c.js?instrument=1', world.tokens] as const);
    const url = `${world.api.origin('api.test')}/v1/items?run=hot-path`;
    await page.evaluate((u) => window.bench.sequential(u, 10), url);
    const before = await page.evaluate(() => window.bench.idbCounts());
    await page.evaluate((u) => window.bench.sequential(u, 200), url);
    await page.evaluate((u) => window.bench.burst(u, 300), url);
    const warm = await page.evaluate(() => window.bench.idbCounts());

    const workers = await controlWorkers(context, page);
    await workers.stopAll();
    // The counters live in the worker: after a stop they start again from zero.
    await page.evaluate((u) => window.bench.sequential(u, 1), url);
    const afterStop = await page.evaluate(() => window.bench.idbCounts());
    await workers.detach();

    const tally = world.api.tally('hot-path');
    if (tally.withToken !== tally.requests) throw new Error(`hot path: ${tally.requests - tally.withToken} requests went out without the token`);
    return {
      warmRequests: 500,
      warmOpens: warm.open - before.open,
      warmTransactions: warm.transaction - before.transaction,
      afterStopOpens: afterStop.open,
      afterStopTransactions: afterStop.transaction,
    };
  } finally {
    await context.close();
  }
}
