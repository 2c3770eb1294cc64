// The DPoP measures of `npm run bench` (issue 13): variant D, bearer-sw with oidcLogin({ dpop: true })
// and a DPoP-bound session, against the floor (B) and bearer-sw with Bearer tokens (C) on sequential
// allowlisted requests, and against the IndexedDB floor (I) and C on the first request after
// DevTools stopped the worker (D loads its key pair from IndexedDB then). Variants take turns in
// rotating blocks within each round; ratios are taken round by round, then the median over rounds.
// Also where a proof's time goes: proofs, bare ES256 signatures and SHA-256 digests timed in the
// worker itself.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { openBenchPage } from './support/open-page.js';
import { controlWorkers } from './support/service-workers.js';
import { median, round, summarize, type Summary } from './support/stats.js';
import type { BenchWorld } from './support/world.js';

// X (only with `--alt DIR`): D built from another source tree, to measure a change in the same run.
type DpopVariant = 'B' | 'I' | 'C' | 'L' | 'D' | 'X';
const SCRIPTS: Record<DpopVariant, string> = {
  B: '/sw-b.js',
  I: '/sw-floor-idb.js',
  C: '/sw-c.js',
  L: '/sw-bearer-login.js',
  D: '/sw-bearer-dpop.js',
  X: '/sw-bearer-alt.js',
};
const SEQUENTIAL: readonly DpopVariant[] = ['B', 'C', 'D', 'X'];
// L (the login without DPoP) tells the login's share of D's cold start from DPoP's.
const AFTER_STOP: readonly DpopVariant[] = ['I', 'C', 'L', 'D', 'X'];

/** Sample sizes of one round. */
export interface DpopSizes {
  warm: number;
  blocks: number;
  perBlock: number;
  stops: number;
}

/** What {@link measureDpop} found. */
export interface DpopResult {
  /** ms per request, per variant: median over rounds (min–max). */
  sequential: Record<'B' | 'C' | 'D', Summary | null>;
  /** ms, per variant; L is bearer-sw with oidcLogin without DPoP. */
  firstAfterStop: Record<'I' | 'C' | 'L' | 'D', Summary | null>;
  /** Round-by-round ratios. Targets of issue 13: D/B ≤ 1.10 sequential, D/I ≤ 1.10 after a stop. */
  ratios: {
    sequentialDB: Summary | null;
    sequentialDC: Summary | null;
    afterStopDI: Summary | null;
    afterStopDC: Summary | null;
    afterStopDL: Summary | null;
    /** The login without DPoP against the IndexedDB floor: what the login costs a cold start. */
    afterStopLI: Summary | null;
  };
  /**
   * In the worker: the first proof of a worker just stopped and woken by the probe (with a new key),
   * then the mean ms of one proof, one bare ES256 signature, one SHA-256 of a 1.1 KB token.
   */
  proofCost: { first: number; proof: number; sign: number; digest: number };
  /** With `--alt`: X, D built from the other tree, its measures and X / D round by round. */
  alt?: { sequential: Summary | null; firstAfterStop: Summary | null; sequentialXD: Summary | null; afterStopXD: Summary | null; afterStopXI: Summary | null };
}

interface Entrant {
  variant: DpopVariant;
  context: BrowserContext;
  page: Page;
  run: string;
}

/**
 * Writes the session a finished login leaves (an access token, a refresh token and, with DPoP, a new
 * non-extractable ES256 key pair with its public JWK) into the worker's database before the worker starts.
 */
export function seedSession(page: Page, accessToken: string, refreshToken: string, dpop: boolean): Promise<void> {
  return page.evaluate(
    async ([accessToken, refreshToken, dpop]) => {
      // As generateDpopKeyPair makes it: the public key's JWK exported once and stored with the pair.
      const keyPair = dpop ? await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) : undefined;
      const jwk = keyPair && (await crypto.subtle.exportKey('jwk', keyPair.publicKey));
      const dpopKey = keyPair && jwk && { ...keyPair, publicJwk: jwk };
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('bearer-sw', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('session');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('session', 'readwrite');
        const tokens = { accessToken, refreshToken, expiresAt: Date.now() + 3_600_000, ...(dpopKey && { dpopKey }) };
        tx.objectStore('session').put({ tokens, epoch: 1 }, 'current');
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    [accessToken, refreshToken, dpop] as const,
  );
}

async function enter(browser: Browser, world: BenchWorld, variant: DpopVariant, round: number): Promise<Entrant> {
  const context = await browser.newContext();
  const page = await openBenchPage(context, world.app.origin);
  if (variant === 'D' || variant === 'X' || variant === 'L') await seedSession(page, world.tokens.accessToken, world.tokens.refreshToken, variant !== 'L');
  // D and L register like the floors (their session is already stored: with the login, a page cannot hand tokens over); C hands its tokens over.
  await page.evaluate(([v, s, t]) => window.bench.setup(v, s, t), [variant === 'C' ? 'C' : 'B', SCRIPTS[variant], world.tokens] as const);
  return { variant, context, page, run: `dpop-${variant}${round}` };
}

const sequential = (e: Entrant, url: string, n: number) => e.page.evaluate(([u, k]) => window.bench.sequential(u, k), [url, n] as const);

async function alternate(entrants: readonly Entrant[], turn: number, step: (e: Entrant) => Promise<void>): Promise<void> {
  for (let i = 0; i < entrants.length; i++) await step(entrants[(turn + i) % entrants.length]!);
}

/** Asks D's worker to time proofs, signatures and digests. */
function proofCost(page: Page, n: number): Promise<DpopResult['proofCost']> {
  return page.evaluate(
    (count) =>
      new Promise((resolve, reject) => {
        const channel = new MessageChannel();
        const timer = setTimeout(() => reject(new Error('the DPoP worker did not answer the cost probe within 20 s')), 20_000);
        channel.port1.onmessage = (event) => {
          clearTimeout(timer);
          resolve(event.data as DpopResult['proofCost']);
        };
        navigator.serviceWorker.controller?.postMessage({ benchDpopCost: count }, [channel.port2]);
      }),
    n,
  );
}

/**
 * Runs the DPoP rounds. Throws when a DPoP request went out without `Authorization: DPoP` and a
 * proof, or a Bearer one without its token: the numbers only count if every request was what it
 * claims to be.
 */
export async function measureDpop(browser: Browser, world: BenchWorld, rounds: number, sizes: DpopSizes, options: { alt?: boolean } = {}): Promise<DpopResult> {
  const perRound = { B: [] as number[], C: [] as number[], D: [] as number[] };
  const stops = { I: [] as number[], C: [] as number[], L: [] as number[], D: [] as number[] };
  const alt = { sequential: [] as number[], stop: [] as number[], sequentialXD: [] as number[], afterStopXD: [] as number[], afterStopXI: [] as number[] };
  const variants: readonly DpopVariant[] = options.alt === true ? ['B', 'I', 'C', 'L', 'D', 'X'] : ['B', 'I', 'C', 'L', 'D'];
  const ratio = { sequentialDB: [] as number[], sequentialDC: [] as number[], afterStopDI: [] as number[], afterStopDC: [] as number[], afterStopDL: [] as number[], afterStopLI: [] as number[] };
  let cost: DpopResult['proofCost'] | null = null;
  for (let r = 0; r < rounds; r++) {
    const entrants: Entrant[] = [];
    try {
      for (const variant of variants) entrants.push(await enter(browser, world, variant, r));
      const api = (e: Entrant) => `${world.api.origin('api.test')}/v1/items?run=${e.run}`;
      const onSequential = entrants.filter((e) => SEQUENTIAL.includes(e.variant));
      const onStop = entrants.filter((e) => AFTER_STOP.includes(e.variant));
      const taken: Record<DpopVariant, { sequential: number[]; stop: number[] }> = {
        B: { sequential: [], stop: [] },
        I: { sequential: [], stop: [] },
        C: { sequential: [], stop: [] },
        L: { sequential: [], stop: [] },
        D: { sequential: [], stop: [] },
        X: { sequential: [], stop: [] },
      };
      await alternate(entrants, r, async (e) => void (await sequential(e, api(e), sizes.warm)));
      for (let b = 0; b < sizes.blocks; b++) {
        await alternate(onSequential, b, async (e) => {
          taken[e.variant].sequential.push((await sequential(e, api(e), sizes.perBlock)) / sizes.perBlock);
        });
      }
      const controls = new Map(await Promise.all(onStop.map(async (e) => [e.variant, await controlWorkers(e.context, e.page)] as const)));
      for (let s = 0; s < sizes.stops; s++) {
        await alternate(onStop, s, async (e) => {
          await controls.get(e.variant)!.stopAll();
          taken[e.variant].stop.push(await sequential(e, api(e), 1));
        });
      }
      if (cost === null) {
        // On a worker just stopped: the probe's message starts it, so its first proof is a cold one.
        await controls.get('D')!.stopAll();
        cost = await proofCost(entrants.find((e) => e.variant === 'D')!.page, 200);
      }
      for (const control of controls.values()) await control.detach();

      for (const e of entrants) {
        const tally = world.api.tally(e.run);
        const dpop = e.variant === 'D' || e.variant === 'X';
        const good = dpop ? tally.withDpop : tally.withToken;
        if (tally.requests === 0 || good !== tally.requests) {
          throw new Error(`${e.run}: ${tally.requests - good} of ${tally.requests} API requests went out without ${dpop ? 'DPoP and a proof' : 'the token'}`);
        }
      }
      const m = (v: DpopVariant, key: 'sequential' | 'stop') => median(taken[v][key]);
      for (const v of ['B', 'C', 'D'] as const) perRound[v].push(m(v, 'sequential'));
      for (const v of ['I', 'C', 'L', 'D'] as const) stops[v].push(m(v, 'stop'));
      ratio.sequentialDB.push(m('D', 'sequential') / m('B', 'sequential'));
      ratio.sequentialDC.push(m('D', 'sequential') / m('C', 'sequential'));
      ratio.afterStopDI.push(m('D', 'stop') / m('I', 'stop'));
      ratio.afterStopDC.push(m('D', 'stop') / m('C', 'stop'));
      ratio.afterStopDL.push(m('D', 'stop') / m('L', 'stop'));
      ratio.afterStopLI.push(m('L', 'stop') / m('I', 'stop'));
      if (options.alt === true) {
        alt.sequential.push(m('X', 'sequential'));
        alt.stop.push(m('X', 'stop'));
        alt.sequentialXD.push(m('X', 'sequential') / m('D', 'sequential'));
        alt.afterStopXD.push(m('X', 'stop') / m('D', 'stop'));
        alt.afterStopXI.push(m('X', 'stop') / m('I', 'stop'));
      }
      console.log(
        `  DPoP round ${r + 1}/${rounds}: sequential ms/request B ${round(m('B', 'sequential'))}  C ${round(m('C', 'sequential'))}  D ${round(m('D', 'sequential'))}; ` +
          `after a stop ms I ${round(m('I', 'stop'), 2)}  C ${round(m('C', 'stop'), 2)}  L ${round(m('L', 'stop'), 2)}  D ${round(m('D', 'stop'), 2)}` +
          (options.alt === true ? `; X (D from the other tree): sequential ${round(m('X', 'sequential'))}, after a stop ${round(m('X', 'stop'), 2)}` : ''),
      );
    } finally {
      for (const e of entrants) await e.context.close();
    }
  }
  return {
    sequential: { B: summarize(perRound.B), C: summarize(perRound.C), D: summarize(perRound.D) },
    firstAfterStop: { I: summarize(stops.I), C: summarize(stops.C), L: summarize(stops.L), D: summarize(stops.D) },
    ratios: {
      sequentialDB: summarize(ratio.sequentialDB),
      sequentialDC: summarize(ratio.sequentialDC),
      afterStopDI: summarize(ratio.afterStopDI),
      afterStopDC: summarize(ratio.afterStopDC),
      afterStopDL: summarize(ratio.afterStopDL),
      afterStopLI: summarize(ratio.afterStopLI),
    },
    proofCost: cost ?? { first: Number.NaN, proof: Number.NaN, sign: Number.NaN, digest: Number.NaN },
    ...(options.alt === true && {
      alt: {
        sequential: summarize(alt.sequential),
        firstAfterStop: summarize(alt.stop),
        sequentialXD: summarize(alt.sequentialXD),
        afterStopXD: summarize(alt.afterStopXD),
        afterStopXI: summarize(alt.afterStopXI),
      },
    }),
  };
}

/** The DPoP section of the bench's report, as printed lines. */
export function formatDpop(result: DpopResult): string[] {
  const s = (x: Summary | null, digits = 3) => (x === null ? 'n/a' : `${round(x.median, digits)} (${round(x.min, digits)}–${round(x.max, digits)})`);
  const verdict = (x: Summary | null, max: number) => (x === null ? 'n/a' : x.median <= max ? 'met' : 'MISSED');
  return [
    'DPoP (D: bearer-sw with oidcLogin({ dpop: true }), a DPoP-bound session, C\'s rules):',
    `  sequential, ms per request: B floor ${s(result.sequential.B)}, C bearer-sw ${s(result.sequential.C)}, D bearer-sw + DPoP ${s(result.sequential.D)}`,
    `    D / B ${s(result.ratios.sequentialDB, 2)} — target ≤ 1.10: ${verdict(result.ratios.sequentialDB, 1.1)}; D / C ${s(result.ratios.sequentialDC, 2)}`,
    `  first request after a stop, ms: I IndexedDB floor ${s(result.firstAfterStop.I, 2)}, C ${s(result.firstAfterStop.C, 2)}, ` +
      `L bearer-sw + login without DPoP ${s(result.firstAfterStop.L, 2)}, D ${s(result.firstAfterStop.D, 2)}`,
    `    D / I ${s(result.ratios.afterStopDI, 2)} — target ≤ 1.10: ${verdict(result.ratios.afterStopDI, 1.1)}; D / C ${s(result.ratios.afterStopDC, 2)}; ` +
      `D / L ${s(result.ratios.afterStopDL, 2)} (DPoP's own share); L / I ${s(result.ratios.afterStopLI, 2)} (the login's)`,
    `  where a proof's time goes (in the worker, mean of 200): one proof ${round(result.proofCost.proof)} ms = ` +
      `one ES256 signature ${round(result.proofCost.sign)} ms + one SHA-256 of the token (ath) ${round(result.proofCost.digest)} ms + encoding; ` +
      `the first proof of a worker just started: ${round(result.proofCost.first, 2)} ms`,
    ...(result.alt === undefined
      ? []
      : [
          `  X, D built from the other tree (--alt): sequential ${s(result.alt.sequential)} ms, X / D ${s(result.alt.sequentialXD, 2)}; ` +
            `after a stop ${s(result.alt.firstAfterStop, 2)} ms, X / D ${s(result.alt.afterStopXD, 2)}, X / I ${s(result.alt.afterStopXI, 2)}`,
        ]),
  ];
}
