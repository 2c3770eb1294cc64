import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import type { UserClaims } from '../shared/protocol.js';

/** The tokens of a session as stored. */
export interface StoredTokens {
  accessToken?: string;
  refreshToken?: string;
  /** Epoch milliseconds after which the access token is no longer valid; absent: unknown. */
  expiresAt?: number;
  /** When the worker received the access token (epoch ms), with `expiresAt`: its lifetime bounds the leeway. */
  receivedAt?: number;
  /**
   * The raw ID token of a login the worker ran (for `id_token_hint`); never sent to a page. This
   * field, `user` and `dpopKey` are the login's, stored with the tokens by its handoff; the core
   * only keeps them while the tokens last.
   */
  idToken?: string;
  /** Its validated claims, which the login shows pages as `session.user`. */
  user?: UserClaims;
  /**
   * The DPoP key pair the tokens are bound to (RFC 9449), for a login with `dpop: true`: made for
   * this session only, its private key non-extractable; gone with the tokens at logout or loss.
   */
  dpopKey?: CryptoKeyPair;
  /**
   * Access tokens for rules with a `resource` (or `audience`), by its value, each obtained with the
   * session's one refresh token; absent: none obtained yet.
   */
  resources?: Record<string, ResourceToken>;
}

/** An access token issued for one resource. */
export interface ResourceToken {
  accessToken: string;
  /** Epoch milliseconds; absent: unknown. */
  expiresAt?: number;
  /** When the worker received it (epoch ms), with `expiresAt`: its lifetime bounds the leeway. */
  receivedAt?: number;
}

/** The single stored record: the session's tokens (or none) and its epoch. */
export interface StoredSession {
  tokens: StoredTokens | null;
  /** Increases with every change, logout included, so newer news always wins. */
  epoch: number;
}

interface BearerSwSchema extends DBSchema {
  session: { key: 'current'; value: StoredSession };
}

/** Reads and writes the session record in IndexedDB, the source of truth. */
export interface TokenStore {
  /** The stored session, or an empty one at epoch 0 when none was ever written. */
  read(): Promise<StoredSession>;
  /** Replaces the stored session; resolves once the transaction has committed. */
  write(session: StoredSession): Promise<void>;
  /**
   * Reads and replaces the session in one transaction, so two contexts sharing the database
   * never both build on the same epoch. `change` returns the next session, or `null` to keep the
   * current one. Resolves with what is stored once the transaction has committed.
   */
  update(change: (current: StoredSession) => StoredSession | null): Promise<StoredSession>;
  /** Closes the connection (the next call reopens it). */
  close(): void;
}

const STORE = 'session';
const KEY = 'current';
/** The stored session, or the empty one a database without a record stands for (a new object each time). */
const stored = (value: StoredSession | undefined): StoredSession => value ?? { tokens: null, epoch: 0 };

/**
 * Opens (lazily) the token database.
 *
 * The connection closes itself when a newer version of the database is requested elsewhere
 * (`versionchange`) or the browser drops it (`close`), and is reopened on next use. The first read
 * of a worker's life starts its transaction inside the open's `success` event, with plain
 * IndexedDB requests, before any promise settles; idb (`wrap`) serves everything after it.
 *
 * @param databaseName - the IndexedDB database name
 * @example
 * ```ts
 * const store = createTokenStore('bearer-sw')
 * await store.write({ tokens: { accessToken: 'eyJ…' }, epoch: 1 })
 * ```
 */
export function createTokenStore(databaseName: string): TokenStore {
  let connection: Promise<IDBPDatabase<BearerSwSchema>> | null = null;

  /** Opens the database; `opened` runs in the open's `success` event, on the plain connection. */
  const open = (opened?: (db: IDBDatabase) => void): Promise<IDBPDatabase<BearerSwSchema>> => {
    if (connection === null) {
      const opening = new Promise<IDBPDatabase<BearerSwSchema>>((resolve, reject) => {
        const request = indexedDB.open(databaseName, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const forget = () => {
            if (connection === opening) connection = null;
          };
          // A newer version is requested elsewhere: close, so that it can upgrade (not blocked).
          db.onversionchange = () => {
            forget();
            db.close();
          };
          // The browser closed it (the database was deleted, storage cleared).
          db.onclose = forget;
          opened?.(db);
          resolve(wrap(db) as IDBPDatabase<BearerSwSchema>);
        };
      });
      connection = opening;
      opening.catch(() => {
        if (connection === opening) connection = null;
      });
    }
    return connection;
  };

  return {
    read() {
      if (connection !== null) return connection.then((db) => db.get(STORE, KEY)).then(stored);
      // The first read: its request goes to the database in the same task as the open's answer.
      return new Promise((resolve, reject) => {
        open((db) => {
          try {
            const get = db.transaction(STORE).objectStore(STORE).get(KEY);
            get.onsuccess = () => resolve(stored(get.result as StoredSession | undefined));
            get.onerror = () => reject(get.error);
          } catch (error) {
            reject(error);
          }
        }).catch(reject);
      });
    },
    async write(session) {
      const db = await open();
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      await Promise.all([tx.store.put(session, KEY), tx.done]);
    },
    async update(change) {
      const db = await open();
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const current = stored(await tx.store.get(KEY));
      const next = change(current);
      if (next !== null) await tx.store.put(next, KEY);
      await tx.done;
      return next ?? current;
    },
    close() {
      const closing = connection;
      connection = null;
      void closing?.then((db) => db.close(), () => undefined);
    },
  };
}
