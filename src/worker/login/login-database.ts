import { wrap, type DBSchema, type IDBPDatabase } from 'idb';

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
      // Opened as the token store opens its own (plain request, idb's `wrap`), not with idb's `openDB`.
      const request = indexedDB.open(`${databaseName}-login`, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore('pending');
        request.result.createObjectStore('discovery');
      };
      const forget = () => {
        if (connection === opening) connection = null;
      };
      const opening = (wrap(request) as Promise<IDBPDatabase<LoginSchema>>).then((db) => {
        // A newer version is asked for elsewhere: close, so that it can upgrade (not blocked).
        db.onversionchange = () => {
          forget();
          db.close();
        };
        // The browser closed it (the database was deleted, storage cleared).
        db.onclose = forget;
        return db;
      });
      connection = opening;
      opening.catch(forget);
    }
    return connection;
  };
}
