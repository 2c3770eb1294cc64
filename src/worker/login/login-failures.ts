import type { LoginFailedDetail } from '../../shared/protocol.js';
import type { LoginDatabase, StoredLoginFailure } from './login-database.js';
import { newest, putBounded } from './put-bounded.js';

/** How long a failed login's news waits for its tab to ask (`hello`): the tab lands within seconds. */
export const FAILURE_TTL_MS = 60_000;
/** The most failures kept: a page failing logins in a loop only pushes out its own oldest news. */
export const MAX_FAILURES = 20;

/** The window a failure is for: the tab that lands, or failing that, its URL. */
export interface FailureTarget {
  /** The navigation's `resultingClientId`. */
  clientId: string;
  /** `returnTo`. */
  url: string;
}

/**
 * Failed logins' news, each for the tab its redirect landed on: memory for the fast path, the
 * login database as the durable copy, so the news survives the worker being stopped between the
 * redirect and the tab's `hello`. Each failure is handed out once, within {@link FAILURE_TTL_MS};
 * at most {@link MAX_FAILURES} are kept.
 */
export interface LoginFailures {
  /**
   * Keeps a failure, in memory at once and in the database before resolving. Never rejects: when
   * the database cannot be written it logs why and memory alone keeps the news, so the redirect is
   * never lost. (No timer: IndexedDB requests settle, with a result or an error; an open waits only
   * on a connection that does not close for a newer version, and every connection to the login
   * database does, see `openLoginDatabase`.)
   */
  add(failure: LoginFailedDetail & FailureTarget): Promise<void>;
  /**
   * The failure of a login that landed on this window (its client id, else its URL without hash),
   * removed from memory and from the database, so neither gives it out again; `null` when there is
   * none. Reads the database once per worker life, for news an earlier run of the worker kept.
   * Never rejects.
   */
  take(window: { id: string; url: string }): Promise<LoginFailedDetail | null>;
}

const withoutHash = (url: string) => url.replace(/#.*/, '');

/**
 * Creates the store of failed logins' news (see {@link LoginFailures}).
 *
 * @param db - the login database
 * @param log - the worker's debug log (why the database could not be used)
 * @param now - the clock
 * @example
 * ```ts
 * const failures = createLoginFailures(openLoginDatabase('bearer-sw'))
 * await failures.add({ code: 'login-denied', message, clientId: event.resultingClientId, url: returnTo })
 * const news = await failures.take(client) // once
 * ```
 */
export function createLoginFailures(db: LoginDatabase, log?: (message: string) => void, now: () => number = Date.now): LoginFailures {
  let memory: StoredLoginFailure[] = [];
  /** The database's news read into memory, once per worker life (`null`: not yet). */
  let loading: Promise<void> | null = null;
  /** The keys of the news this run added. */
  const added = new Set<string>();

  const bound = (list: StoredLoginFailure[]) => newest(list, FAILURE_TTL_MS, MAX_FAILURES, now());
  // Memory keeps (or still holds) the news; a stop before the tab asks would lose it, or a restart tell it again.
  const failed = (error: unknown) => log?.(`login-failed news not in IndexedDB: ${error as Error}`);

  return {
    async add(failure) {
      // The coded detail and the tab, nothing else (the caller passes no more); a random key of this store's own.
      const record = { ...failure, kind: 'failure' as const, key: `${Math.random()}`, createdAt: now() };
      memory = bound([...memory, record]);
      added.add(record.key);
      await putBounded(db, record, FAILURE_TTL_MS, MAX_FAILURES, record.createdAt).catch(failed);
    },

    async take(window) {
      const mine = (f: StoredLoginFailure) => f.clientId === window.id || withoutHash(f.url) === withoutHash(window.url);
      if (!memory.some(mine)) {
        // Read once per worker life: news an earlier run of the worker kept before it was stopped.
        // Not what this run added (it may have been told while the read was under way). A read that
        // fails is not tried again: memory alone serves this run.
        loading ??= db()
          .then((opened) => opened.getAll('pending'))
          .then((stored) => void memory.push(...stored.filter((f): f is StoredLoginFailure => f.kind === 'failure' && !added.has(f.key))), failed);
        await loading;
      }
      // Found and removed in one go (no await between): two hellos never both get it.
      const found = (memory = bound(memory)).find(mine);
      if (found === undefined) return null;
      memory = memory.filter((f) => f !== found);
      // Out of the database too before it is told, so that no later run of the worker tells it again.
      await db()
        .then((opened) => opened.delete('pending', found.key))
        .catch(failed);
      return { code: found.code, message: found.message };
    },
  };
}
