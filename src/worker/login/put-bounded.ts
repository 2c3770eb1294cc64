import type { LoginDatabase, LoginSchema } from './login-database.js';

/** A record of a store that holds a bounded number of records of each kind, each for a bounded time. */
export interface Bounded {
  kind: string;
  key: string;
  createdAt: number;
}

/**
 * The records of `list` younger than `ttl` (at `now`), at most `max` of them, the newest kept, oldest first.
 *
 * @param list - records of one store, or their copies in memory
 * @param ttl - how long a record lives, ms
 * @param max - how many are kept
 * @param now - the time, ms
 * @example
 * ```ts
 * memory = newest(memory, 60_000, 20, Date.now())
 * ```
 */
export function newest<T extends Bounded>(list: T[], ttl: number, max: number, now: number): T[] {
  return list.filter((r) => now - r.createdAt < ttl).sort((a, b) => a.createdAt - b.createdAt).slice(-max);
}

/**
 * Puts `record` into the `pending` store (under its `key`) in one transaction with the clean-up
 * that keeps the records of its kind bounded: what expired goes, and the oldest give way beyond
 * `max`. Records of other kinds are left alone, so failed logins never push out logins in flight.
 *
 * @param db - the login database
 * @param record - the new record, stored under its `key`
 * @param ttl - how long a record lives, ms
 * @param max - how many are kept, the new one included
 * @param now - the time, ms
 * @throws what IndexedDB throws (the database cannot be opened or written)
 * @example
 * ```ts
 * await putBounded(db, record, PENDING_TTL_MS, MAX_PENDING, Date.now())
 * ```
 */
export async function putBounded(
  db: LoginDatabase,
  record: LoginSchema['pending']['value'],
  ttl: number,
  max: number,
  now: number,
): Promise<void> {
  const tx = (await db()).transaction('pending', 'readwrite');
  const { store } = tx;
  const all = (await store.getAll()).filter((r) => r.kind === record.kind);
  const kept = new Set(newest([...all, record], ttl, max, now));
  for (const r of all) if (!kept.has(r)) await store.delete(r.key);
  await Promise.all([store.put(record, record.key), tx.done]);
}
