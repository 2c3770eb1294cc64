import { failure } from './failure.js';

/**
 * Waits for `start` to settle the promise, or rejects with a `timeout` error after `timeout` ms.
 *
 * `start` gets a signal that aborts once the promise has settled, either way: listeners added
 * with it are removed then, so nothing outlives the wait.
 *
 * @param timeout - the longest wait, in ms
 * @param action - the action named in the error, e.g. `'log out'`
 * @param reason - what did not happen in time, e.g. `'the service worker did not answer'`
 * @param start - begins the wait; calls `resolve` or `reject`
 * @throws BearerSwError `timeout`: `Failed to <action>: <reason> within <timeout> ms`
 * @example
 * ```ts
 * await withTimeout<void>(10_000, 'log out', 'the page was not controlled', (resolve, _reject, signal) => {
 *   navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { signal })
 * })
 * ```
 */
export function withTimeout<T>(
  timeout: number,
  action: string,
  reason: string,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void, signal: AbortSignal) => void,
): Promise<T> {
  const settled = new AbortController();
  let timer: ReturnType<typeof setTimeout>;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => reject(failure('timeout', action, `${reason} within ${timeout} ms`)), timeout);
    start(resolve, reject, settled.signal);
  }).finally(() => {
    clearTimeout(timer);
    settled.abort();
  });
}
