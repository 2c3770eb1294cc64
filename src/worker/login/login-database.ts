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

interface LoginSchema extends DBSchema {
  pending: { key: string; value: PendingLogin | PendingEndSession };
  discovery: { key: string; value: CachedMetadata };
}

/** The login's own database, next to the token database. */
export type LoginDatabase = () => Promise<IDBPDatabase<LoginSchema>>;

/**
 * Opens (lazily, once) `<databaseName>-login`: pending logins and the discovery cache. A database
 * of its own, so a worker without `login` never creates or upgrades anything for it.
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
