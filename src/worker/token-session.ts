import { BearerSwError } from '../shared/errors.js';
import type { InvalidReason, SessionSnapshot } from '../shared/protocol.js';
import type { TokenSet } from '../shared/token-set.js';
import { expiresAtFor } from './expiry.js';
import type { StoredSession, TokenStore } from './token-store.js';

/** What the session tells the outside world after each change. */
export type SessionListener = (snapshot: SessionSnapshot, lost: InvalidReason | null) => void;

/** Options of {@link TokenSession}. */
export interface TokenSessionOptions {
  store: TokenStore;
  /** Whether tokens can be refreshed (a refresh function is configured). */
  canRefresh: boolean;
  onChange: SessionListener;
  now?: () => number;
}

/**
 * The worker's view of the session: an in-memory copy of the stored record, so a request never
 * waits on IndexedDB once loaded, and every change written to IndexedDB before it is used.
 *
 * Changes run one at a time, in the order they were asked for.
 */
export class TokenSession {
  readonly #store: TokenStore;
  readonly #canRefresh: boolean;
  readonly #onChange: SessionListener;
  readonly #now: () => number;
  #current: StoredSession | null = null;
  #loading: Promise<StoredSession> | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TokenSessionOptions) {
    this.#store = options.store;
    this.#canRefresh = options.canRefresh;
    this.#onChange = options.onChange;
    this.#now = options.now ?? Date.now;
  }

  /** The record in memory, or `null` before the first load finished. */
  get current(): StoredSession | null {
    return this.#current;
  }

  /**
   * Loads the stored session once (again after a failure).
   * @throws BearerSwError `storage-failed` when IndexedDB cannot be read
   */
  ready(): Promise<StoredSession> {
    if (this.#current !== null) return Promise.resolve(this.#current);
    if (this.#loading === null) {
      const loading = this.#store.read().then(
        (stored) => {
          this.#current ??= stored;
          return this.#current;
        },
        (cause: unknown) => {
          this.#loading = null;
          throw new BearerSwError('storage-failed', 'Failed to load the session: IndexedDB could not be read', { cause });
        },
      );
      this.#loading = loading;
    }
    return this.#loading;
  }

  /** The state a page should show for a record. */
  #snapshotOf(session: StoredSession): SessionSnapshot {
    const tokens = session.tokens;
    const usable = tokens !== null && (tokens.accessToken !== undefined || (this.#canRefresh && tokens.refreshToken !== undefined));
    return { state: usable ? 'authenticated' : 'unauthenticated', epoch: session.epoch };
  }

  /**
   * The session as pages see it; ends a session whose token expired with nothing to refresh it.
   */
  async snapshot(): Promise<SessionSnapshot> {
    await this.accessToken();
    return this.#snapshotOf(this.#current ?? (await this.ready()));
  }

  /**
   * The access token to attach now, or `null` when there is none (no session, or it expired and
   * cannot be refreshed, which ends the session).
   */
  async accessToken(): Promise<string | null> {
    const session = this.#current ?? (await this.ready());
    const tokens = session.tokens;
    if (tokens === null || tokens.accessToken === undefined) return null;
    if (tokens.expiresAt !== undefined && this.#now() >= tokens.expiresAt && !this.#canRefresh) {
      await this.end('expired', session.epoch);
      return null;
    }
    return tokens.accessToken;
  }

  #enqueue<T>(change: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(change, change);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #commit(next: StoredSession, lost: InvalidReason | null): Promise<SessionSnapshot> {
    try {
      await this.#store.write(next);
    } catch (cause) {
      throw new BearerSwError('storage-failed', 'Failed to store the session: IndexedDB could not be written', { cause });
    }
    this.#current = next;
    const snapshot = this.#snapshotOf(next);
    this.#onChange(snapshot, lost);
    return snapshot;
  }

  /**
   * Replaces the session with tokens handed over by a page (already validated).
   * @throws TypeError when the tokens cannot make a usable session with this config
   * @throws BearerSwError `storage-failed`
   */
  async handoff(tokens: TokenSet): Promise<SessionSnapshot> {
    const receivedAt = this.#now();
    if (!this.#canRefresh) {
      if (tokens.accessToken === undefined) {
        throw new TypeError('Failed to hand off tokens: an accessToken is required, the worker has no refresh function');
      }
      const expiresAt = expiresAtFor(tokens, receivedAt);
      if (expiresAt !== undefined && expiresAt <= receivedAt) {
        throw new TypeError('Failed to hand off tokens: the access token has already expired and the worker has no refresh function');
      }
    }
    return this.#enqueue(async () => {
      const session = await this.ready();
      const stored: StoredSession['tokens'] = {};
      if (tokens.accessToken !== undefined) {
        stored.accessToken = tokens.accessToken;
        const expiresAt = expiresAtFor(tokens, receivedAt);
        if (expiresAt !== undefined) stored.expiresAt = expiresAt;
      }
      if (tokens.refreshToken !== undefined) stored.refreshToken = tokens.refreshToken;
      return this.#commit({ tokens: stored, epoch: session.epoch + 1 }, null);
    });
  }

  /** Clears the tokens at the app's request. */
  logout(): Promise<SessionSnapshot> {
    return this.#enqueue(async () => {
      const session = await this.ready();
      return this.#commit({ tokens: null, epoch: session.epoch + 1 }, null);
    });
  }

  /**
   * Ends the session because it was lost, unless it changed since `epoch` (then this news is
   * stale and nothing happens). Pages hear `session-invalid` once.
   */
  end(reason: InvalidReason, epoch: number): Promise<void> {
    return this.#enqueue(async () => {
      const session = await this.ready();
      if (session.epoch !== epoch || session.tokens === null) return;
      await this.#commit({ tokens: null, epoch: session.epoch + 1 }, reason);
    });
  }
}
