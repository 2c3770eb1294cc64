import type { LoginDatabase, PendingEndSession, PendingLogin } from './login-database.js';
import { putBounded } from './put-bounded.js';

/** How long a started login (or a logout's end-session step) stays redeemable. */
export const PENDING_TTL_MS = 10 * 60 * 1000;
/** The most records kept: a page starting logins in a loop only pushes out its own oldest ones. */
export const MAX_PENDING = 20;

/**
 * Logins in flight, in IndexedDB so they survive the worker being stopped while the user is at
 * the server: several at once (two tabs; at most {@link MAX_PENDING}, the oldest give way), each
 * redeemable once, for {@link PENDING_TTL_MS}.
 */
export interface PendingLogins {
  /** Stores a record under its key, dropping expired ones on the way. */
  put(record: PendingLogin | PendingEndSession): Promise<void>;
  /**
   * Takes the record stored under `key` and deletes it in the same transaction, so a key is
   * redeemed at most once even by two responses at the same time; `null` when there is none,
   * when it expired, or when it is of another kind.
   */
  take<K extends (PendingLogin | PendingEndSession)['kind']>(
    key: string,
    kind: K,
  ): Promise<Extract<PendingLogin | PendingEndSession, { kind: K }> | null>;
}

/**
 * @param db - the login database
 * @param now - the clock
 * @example
 * ```ts
 * const pending = createPendingLogins(openLoginDatabase('bearer-sw'))
 * const login = await pending.take(state, 'login')
 * ```
 */
export function createPendingLogins(db: LoginDatabase, now: () => number = Date.now): PendingLogins {
  return {
    put: (record) => putBounded(db, record, PENDING_TTL_MS, MAX_PENDING, now()),
    async take(key, kind) {
      const tx = (await db()).transaction('pending', 'readwrite');
      const record = await tx.store.get(key);
      if (record !== undefined) await tx.store.delete(key);
      await tx.done;
      if (record === undefined || record.kind !== kind || now() - record.createdAt > PENDING_TTL_MS) return null;
      return record as Extract<PendingLogin | PendingEndSession, { kind: typeof kind }>;
    },
  };
}
