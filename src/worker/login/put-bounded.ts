import type { LoginDatabase, LoginSchema } from './login-database.js';

/** A record of a store that holds a bounded number of records, each for a bounded time. */
export interface Bounded {
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
 * Puts `record` into `name` (under its `key`) in one transaction with the clean-up that keeps the
 * store bounded: what expired goes, and the oldest give way beyond `max`.
 *
 * @param db - the login database
 * @param name - the store: `pending` or `failures`
 * @param record - the new record, stored under its `key`
 * @param ttl - how long a record lives, ms
 * @param max - how many are kept, the new one included
 * @param now - the time, ms
 * @throws what IndexedDB throws (the database cannot be opened or written)
 * @example
 * ```ts
 * await putBounded(db, 'pending', record, PENDING_TTL_MS, MAX_PENDING, Date.now())
 * ```
 */
export async function putBounded<N extends 'pending' | 'failures'>(
  db: LoginDatabase,
  name: N,
  record: LoginSchema[N]['value'],
  ttl: number,
  max: number,
  now: number,
): Promise<void> {
  const tx = (await db()).transaction(name, 'readwrite');
  const { store } = tx;
  const all = await store.getAll();
  const kept = new Set(newest([...all, record], ttl, max, now));
  for (const r of all) if (!kept.has(r)) await store.delete(r.key);
  await Promise.all([store.put(record, record.key), tx.done]);
}
