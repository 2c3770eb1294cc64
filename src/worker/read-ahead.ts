import type { StoredSession, TokenStore } from './token-store.js';

/**
 * Starts reading the stored session now and hands that read to the first `read()` call; every
 * other call goes to `store` as it is.
 *
 * After a worker stop, the first request waits for this read (IndexedDB open, then one
 * transaction): starting it before the config is compiled and the session built takes that time
 * off the request's wait. The result is as fresh as a read started by `read()` itself would be:
 * the session takes it at once, when it is created.
 *
 * @param store - the token store
 * @returns the same store, its first read already under way
 * @example
 * ```ts
 * const store = readAhead(createTokenStore('bearer-sw'))
 * await store.read() // the read started by readAhead
 * ```
 */
export function readAhead(store: TokenStore): TokenStore {
  let first: Promise<StoredSession> | null = store.read();
  // Whoever takes it handles its failure; until then it must not count as unhandled.
  first.catch(() => undefined);
  return {
    ...store,
    read() {
      const taken = first ?? store.read();
      first = null;
      return taken;
    },
  };
}
