import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** A login started by `session.login()`, waiting for the server's answer. */
export interface PendingLogin {
  kind: 'login';
  /** The `state` sent, the record's key. */
  key: string;
  verifier: string;
  nonce: string;
  /** Absolute, same-origin URL the tab lands on afterwards. */
  returnTo: string;
  createdAt: number;
}

/** A logout waiting for its navigation to the server's `end_session_endpoint`. */
export interface PendingEndSession {
  kind: 'end-session';
  key: string;
  /** The full end-session URL, `id_token_hint` included: it never reaches a page. */
  url: string;
  createdAt: number;
}

/** What the discovery cache keeps. */
export interface CachedMetadata {
  issuer: string;
  metadata: Record<string, unknown>;
  fetchedAt: number;
}

/**
 * A login that failed at the redirect URI, waiting for its tab's `hello`: only the coded detail
 * the page gets (never a token, code or verifier) and how to recognise the tab.
 */
export interface StoredLoginFailure {
  kind: 'failure';
  /** Random, the record's key. */
  key: string;
  code: string;
  message: string;
  /** The navigation's `resultingClientId`: the tab that lands. */
  clientId: string;
  /** `returnTo`, for a tab whose client id does not match (compared without the hash). */
  url: string;
  createdAt: number;
}

/**
 * The stores of the login database. `pending` holds every short-lived record, told apart by `kind`:
 * logins and logouts in flight, and failed logins' news (in the same store, so the database stays
 * at version 1 and a worker of an earlier release, were the app rolled back, still opens it).
 */
export interface LoginSchema extends DBSchema {
  pending: { key: string; value: PendingLogin | PendingEndSession | StoredLoginFailure };
  discovery: { key: string; value: CachedMetadata };
}

/** The login's own database, next to the token database. */
export type LoginDatabase = () => Promise<IDBPDatabase<LoginSchema>>;

/**
 * Opens (lazily, once) `<databaseName>-login`: pending logins, the discovery cache and failed
 * logins' news. A database of its own, so a worker without `login` never creates or upgrades
 * anything for it. A connection closes when a newer version is asked for elsewhere, so that it can
 * upgrade, and is reopened on next use.
 *
 * @example
 * ```ts
 * const db = openLoginDatabase('bearer-sw')
 * await (await db()).get('pending', state)
 * ```
 */
export function openLoginDatabase(databaseName: string): LoginDatabase {
  let connection: Promise<IDBPDatabase<LoginSchema>> | null = null;
  return () => {
    if (connection === null) {
      const opening = openDB<LoginSchema>(`${databaseName}-login`, 1, {
        upgrade(db) {
          db.createObjectStore('pending');
          db.createObjectStore('discovery');
        },
        blocking() {
          void opening.then((db) => db.close());
          connection = null;
        },
        terminated() {
          connection = null;
        },
      });
      connection = opening;
      opening.catch(() => {
        if (connection === opening) connection = null;
      });
    }
    return connection;
  };
}
