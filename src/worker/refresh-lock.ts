/**
 * Runs `task` while holding an exclusive Web Lock named `name`, so only one context at a time
 * (two worker versions during an update, two registrations sharing the database) refreshes.
 *
 * Where Web Locks are missing (feature-detected), `task` runs at once: the single flight inside
 * the worker still holds, only the cross-context guard is lost.
 *
 * @param locks - `navigator.locks`, or `undefined` where the browser has none
 * @param signal - gives up waiting for the lock (rejects with its reason) once aborted
 * @example
 * ```ts
 * await withRefreshLock(navigator.locks, 'bearer-sw:refresh', AbortSignal.timeout(30_000), () => refreshNow())
 * ```
 */
export function withRefreshLock<T>(locks: LockManager | undefined, name: string, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
  if (locks === undefined || locks === null || typeof locks.request !== 'function') return task();
  return locks.request(name, { mode: 'exclusive', signal }, task) as Promise<T>;
}
