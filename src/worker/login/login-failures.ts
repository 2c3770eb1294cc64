import type { LoginFailedDetail } from '../../shared/protocol.js';
import type { LoginDatabase, StoredLoginFailure } from './login-database.js';
import { newest, putBounded } from './put-bounded.js';

/** How long a failed login's news waits for its tab to ask (`hello`): the tab lands within seconds. */
export const FAILURE_TTL_MS = 60_000;
/** The most failures kept: a page failing logins in a loop only pushes out its own oldest news. */
export const MAX_FAILURES = 20;
/** The longest the login database may take to keep or give up a failure before memory alone serves. */
const STORE_TIMEOUT_MS = 2_000;

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
   * the database cannot be written (or takes longer than two seconds) it logs why and memory
   * alone keeps the news, so the redirect is never lost.
   */
  add(failure: LoginFailedDetail, target: FailureTarget): Promise<void>;
  /**
   * The failure of a login that landed on this window (its client id, else its URL without hash),
   * removed from memory and from the database, so neither gives it out again; `null` when there is
   * none. Reads the database once per worker life, for news an earlier run of the worker kept.
   * Never rejects.
   */
  take(window: { id: string; url: string }): Promise<LoginFailedDetail | null>;
}

const withoutHash = (url: string) => url.replace(/#.*/, '');

/** `promise`, or a rejection once the database took longer than {@link STORE_TIMEOUT_MS}. */
const within = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(reject, STORE_TIMEOUT_MS, new Error('IndexedDB timed out')))]);

/**
 * Creates the store of failed logins' news (see {@link LoginFailures}).
 *
 * @param db - the login database
 * @param log - the worker's debug log (why the database could not be used)
 * @param now - the clock
 * @example
 * ```ts
 * const failures = createLoginFailures(openLoginDatabase('bearer-sw'))
 * await failures.add({ code: 'login-denied', message }, { clientId: event.resultingClientId, url: returnTo })
 * const news = await failures.take(client) // once
 * ```
 */
export function createLoginFailures(db: LoginDatabase, log?: (message: string) => void, now: () => number = Date.now): LoginFailures {
  let memory: StoredLoginFailure[] = [];
  /** The database's news read into memory, once per worker life (`null`: not yet, or it failed). */
  let loading: Promise<void> | null = null;

  const bound = (list: StoredLoginFailure[]) => newest(list, FAILURE_TTL_MS, MAX_FAILURES, now());
  const failed = (what: string) => (error: unknown) => log?.(`could not ${what} login-failed news: ${String(error)}`);

  return {
    async add({ code, message }, { clientId, url }) {
      const record = { key: crypto.randomUUID(), code, message, clientId, url: withoutHash(url), createdAt: now() };
      memory = bound([...memory, record]);
      await within(putBounded(db, 'failures', record, FAILURE_TTL_MS, MAX_FAILURES, record.createdAt)).catch(failed('store (kept in memory)'));
    },

    async take(window) {
      const find = () => {
        memory = bound(memory);
        const index = memory.findIndex((f) => f.clientId === window.id || f.url === withoutHash(window.url));
        return index === -1 ? undefined : memory.splice(index, 1)[0];
      };
      let found = find();
      if (found === undefined) {
        // Read once per worker life: news an earlier run of the worker kept before it was stopped.
        loading ??= within((async () => (await db()).getAll('failures'))()).then(
          // By key: what this run kept is in both.
          (stored) => void (memory = bound([...new Map([...stored, ...memory].map((f) => [f.key, f])).values()])),
          (error: unknown) => {
            loading = null; // tried again on the next hello
            failed('read')(error);
          },
        );
        await loading;
        found = find();
      }
      if (found === undefined) return null;
      // Out of the database too before it is told, so that no later run of the worker tells it again.
      const { key } = found;
      await within((async () => (await db()).delete('failures', key))()).catch(failed('delete'));
      return { code: found.code, message: found.message };
    },
  };
}
