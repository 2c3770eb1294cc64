// The bench page: each step is a function on `window.bench` taking and returning plain JSON.
// Timing happens here, in the page, with performance.now() around complete fetches (body read).
import { registerTokenInjector } from 'bearer-sw/client';

export type Variant = 'A' | 'B' | 'C';

interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

let headers: Record<string, string> = {};

async function fetchOnce(url: string, init: RequestInit = {}): Promise<void> {
  const response = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

/** A JSON body of about `size` bytes, as an app would POST. */
function jsonBody(size: number): string {
  const items = [];
  for (let i = 0; JSON.stringify(items).length < size; i++) items.push({ id: i, name: `item ${i}`, qty: i % 7 });
  return JSON.stringify({ items });
}

function waitForControl(): Promise<void> {
  if (navigator.serviceWorker.controller !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not take control')), 10_000);
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Asks the controlling (instrumented) worker over a message channel; 5 s to answer. */
function ask<T>(message: object): Promise<T> {
  const worker = navigator.serviceWorker.controller;
  if (worker === null) return Promise.reject(new Error('no controller'));
  const channel = new MessageChannel();
  const reply = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer from the instrumented worker')), 5000);
    channel.port1.onmessage = (event: MessageEvent<T>) => {
      clearTimeout(timer);
      resolve(event.data);
    };
  });
  worker.postMessage(message, [channel.port2]);
  return reply;
}

const bench = {
  /**
   * A: the page attaches the header itself (what an SDK's fetch wrapper does), no worker.
   * B: registers the floor worker. C: registers bearer-sw and hands it the tokens.
   */
  async setup(variant: Variant, script: string, tokens: TokenSet): Promise<void> {
    headers = variant === 'A' ? { authorization: `Bearer ${tokens.accessToken}` } : {};
    if (variant === 'B') {
      await navigator.serviceWorker.register(script);
      await waitForControl();
    } else if (variant === 'C') {
      const session = await registerTokenInjector(script);
      await session.handoff(tokens);
    }
  },

  /** Attaches the header from the page (A) or not, for the requests that follow. */
  setHeaders(next: Record<string, string>): void {
    headers = next;
  },

  /** `n` fetches one after the other; the wall time of the whole sequence, in ms. */
  async sequential(url: string, n: number): Promise<number> {
    const start = performance.now();
    for (let i = 0; i < n; i++) await fetchOnce(url);
    return performance.now() - start;
  },

  /** `n` POSTs of a ~`size`-byte JSON body, one after the other; the wall time, in ms. */
  async sequentialPost(url: string, n: number, size: number): Promise<number> {
    const init = { method: 'POST', body: jsonBody(size), headers: { 'content-type': 'application/json' } };
    const start = performance.now();
    for (let i = 0; i < n; i++) await fetchOnce(url, init);
    return performance.now() - start;
  },

  /** `n` fetches at once; the wall time until the last body was read, in ms. */
  async burst(url: string, n: number): Promise<number> {
    const start = performance.now();
    await Promise.all(Array.from({ length: n }, () => fetchOnce(url)));
    return performance.now() - start;
  },

  /** From several tabs at once: `n` parallel fetches, their statuses. */
  async statuses(url: string, n: number): Promise<number[]> {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const response = await fetch(`${url}${url.includes('?') ? '&' : '?'}i=${i}`);
        await response.arrayBuffer();
        return response.status;
      }),
    );
  },

  /** Registers the bearer-sw worker in this tab (already installed by another tab). */
  async connect(script: string): Promise<void> {
    await registerTokenInjector(script);
  },

  /** Hands tokens to the worker from this tab. */
  async handoff(script: string, tokens: TokenSet): Promise<void> {
    const session = await registerTokenInjector(script);
    await session.handoff(tokens);
  },

  /** The instrumented worker's IndexedDB counters. */
  idbCounts(): Promise<{ open: number; transaction: number }> {
    return ask({ benchIdb: true });
  },

  /** One fetch; when it started and when its body was read, on the clock workers share (ms). */
  async timedFetch(url: string): Promise<{ start: number; end: number }> {
    const start = performance.timeOrigin + performance.now();
    await fetchOnce(url);
    return { start, end: performance.timeOrigin + performance.now() };
  },

  /**
   * Fetches `url` once and says which source the worker's static router matched for it
   * (Resource Timing's `workerMatchedSourceType`: `network` when a route sent it past the worker),
   * or `null` where the browser does not report it.
   */
  async routedSource(url: string): Promise<string | null> {
    performance.clearResourceTimings();
    await fetchOnce(url);
    const entries = performance.getEntriesByName(new URL(url, location.href).href, 'resource');
    const last = entries.at(-1) as (PerformanceEntry & { workerMatchedSourceType?: string }) | undefined;
    return last?.workerMatchedSourceType ?? null;
  },

  /** The traced worker's marks (bench/workers/trace.ts). */
  workerTrace(): Promise<{ timeOrigin: number; marks: Record<string, number>; transactions: number }> {
    return ask({ benchTrace: true });
  },
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}
window.bench = bench;
document.documentElement.dataset.ready = 'true';
