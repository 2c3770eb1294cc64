import { BearerSwError } from '../shared/errors.js';
import type { InvalidReason, SessionSnapshot, UserClaims } from '../shared/protocol.js';
import { parseTokenSet, type TokenSet } from '../shared/token-set.js';
import type { TokenTarget } from './api-rule.js';
import { expiresAtFor } from './expiry.js';
import type { RefreshFn } from './injector-config.js';
import { RefreshRejectedError } from './refresh-errors.js';
import { withRefreshLock } from './refresh-lock.js';
import type { ResourceToken, StoredSession, StoredTokens, TokenStore } from './token-store.js';

/** What the session tells the outside world after each change. */
export type SessionListener = (snapshot: SessionSnapshot, lost: InvalidReason | null) => void;

/** Options of {@link TokenSession}. */
export interface TokenSessionOptions {
  store: TokenStore;
  /** Obtains new tokens; `null` when the app configured no refresh. */
  refresh: RefreshFn | null;
  /** Refresh this long before the access token expires. */
  leewayMs?: number;
  /** The longest a request waits for a refresh before it goes out with what there is. */
  waitMs?: number;
  /** The longest one refresh call (and the wait for the cross-context lock) may take. */
  refreshCallTimeoutMs?: number;
  /** `navigator.locks` where the browser has it. */
  locks?: LockManager | undefined;
  /** Name of the Web Lock guarding refreshes across contexts. */
  lockName?: string;
  onChange: SessionListener;
  log?: (message: string) => void;
  now?: () => number;
}

/** An access token with its expiry: the session's default one, or one resource's. */
type HeldToken = Pick<StoredTokens, 'accessToken' | 'expiresAt'>;

/** What a refresh is for: the default token or a resource's; `force` after a 401 for `used`. */
interface RefreshRequest {
  force: boolean;
  used?: string;
  target: TokenTarget | undefined;
}

/** Backoff after transient refresh failures: 1 s, 2 s, 4 s … up to 30 s. */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

/**
 * The worker's view of the session: an in-memory copy of the stored record, so a request never
 * waits on IndexedDB once loaded, and every change written to IndexedDB before it is used.
 *
 * Refresh is lazy (inside the request that needs it), single-flight within the worker, and
 * guarded across contexts by a Web Lock inside which the stored tokens are read again. A refresh
 * result is committed only if the session is still the one it started from (same epoch), so a
 * logout or a newer handoff always wins.
 *
 * Rules with a `resource` get their own access token, each refreshed lazily when it is needed,
 * all from the one refresh token: one flight per resource, and the flights run one after another
 * (in the worker, and across contexts under the one lock), each reading the refresh token the
 * previous one stored, so a rotating server never sees a refresh token twice.
 */
export class TokenSession {
  readonly #store: TokenStore;
  readonly #refresh: RefreshFn | null;
  readonly #leewayMs: number;
  readonly #waitMs: number;
  readonly #refreshCallTimeoutMs: number;
  readonly #locks: LockManager | undefined;
  readonly #lockName: string;
  readonly #onChange: SessionListener;
  readonly #log: (message: string) => void;
  readonly #now: () => number;
  #current: StoredSession | null = null;
  #loading: Promise<StoredSession> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** The refresh under way per resource (`null`: the default token). */
  readonly #flights = new Map<string | null, Promise<void>>();
  /** The last refresh queued: refreshes run one after another, never side by side. */
  #serial: Promise<void> = Promise.resolve();
  #failures = 0;
  #retryAt = 0;

  constructor(options: TokenSessionOptions) {
    this.#store = options.store;
    this.#refresh = options.refresh;
    this.#leewayMs = options.leewayMs ?? 30_000;
    this.#waitMs = options.waitMs ?? 10_000;
    this.#refreshCallTimeoutMs = options.refreshCallTimeoutMs ?? 30_000;
    this.#locks = options.locks;
    this.#lockName = options.lockName ?? 'bearer-sw:refresh';
    this.#onChange = options.onChange;
    this.#log = options.log ?? (() => undefined);
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

  #snapshotOf(session: StoredSession): SessionSnapshot {
    const tokens = session.tokens;
    const usable = tokens !== null && (tokens.accessToken !== undefined || (this.#refresh !== null && tokens.refreshToken !== undefined));
    const snapshot: SessionSnapshot = { state: usable ? 'authenticated' : 'unauthenticated', epoch: session.epoch };
    if (usable && tokens.user) snapshot.user = tokens.user;
    return snapshot;
  }

  /** The session as pages see it; ends a session whose token expired with nothing to refresh it. */
  async snapshot(): Promise<SessionSnapshot> {
    const session = this.#current ?? (await this.ready());
    await this.#endIfExpired(session);
    return this.#snapshotOf(this.#current ?? session);
  }

  #canRefresh(tokens: StoredTokens): boolean {
    return this.#refresh !== null && tokens.refreshToken !== undefined;
  }

  #isExpired(tokens: StoredTokens): boolean {
    return tokens.expiresAt !== undefined && this.#now() >= tokens.expiresAt;
  }

  #needsRefresh(held: HeldToken | undefined): boolean {
    return held?.accessToken === undefined || (held.expiresAt !== undefined && this.#now() >= held.expiresAt - this.#leewayMs);
  }

  /** The access token `target` uses: the default one, or the resource's (absent until obtained). */
  #held(tokens: StoredTokens, target: TokenTarget | undefined): HeldToken | undefined {
    return target === undefined ? tokens : tokens.resources?.[target.value];
  }

  /** Ends the session when its access token expired and nothing can refresh it; `true` if it did. */
  async #endIfExpired(session: StoredSession): Promise<boolean> {
    const tokens = session.tokens;
    if (tokens === null || this.#canRefresh(tokens)) return false;
    if (tokens.accessToken !== undefined && !this.#isExpired(tokens)) return false;
    await this.end('expired', session.epoch);
    return true;
  }

  /**
   * The access token to attach to a request now, or `null` when there is none.
   *
   * Refreshes first when the token is missing or within the leeway of expiry, waiting at most
   * `waitMs`; after that, or after a transient failure, the request goes out with the token it has.
   * Never rejects for a refresh failure.
   *
   * @param target - the rule's resource; absent: the default token. Never another resource's token.
   */
  async accessToken(target?: TokenTarget): Promise<string | null> {
    const session = this.#current ?? (await this.ready());
    let tokens = session.tokens;
    if (tokens === null) return null;
    let held = this.#held(tokens, target);
    if (!this.#needsRefresh(held)) return held?.accessToken ?? null;
    if (target === undefined && (await this.#endIfExpired(session))) return null;
    if (this.#canRefresh(tokens)) {
      await this.#awaitBounded(this.#startRefresh({ force: false, target }));
      tokens = (this.#current ?? session).tokens;
      held = tokens === null ? undefined : this.#held(tokens, target);
    }
    return held?.accessToken ?? null;
  }

  /**
   * After a 401 for a request sent with `used`: the token to retry with, or `null` for no retry.
   * Refreshes (sharing the single flight) unless the token was already replaced meanwhile.
   *
   * @param target - the rule's resource; absent: the default token
   */
  async accessTokenAfterUnauthorized(used: string, target?: TokenTarget): Promise<string | null> {
    const session = this.#current ?? (await this.ready());
    const tokens = session.tokens;
    if (tokens === null) return null;
    const held = this.#held(tokens, target);
    if (held?.accessToken !== undefined && held.accessToken !== used) return held.accessToken;
    if (!this.#canRefresh(tokens)) return null;
    await this.#awaitBounded(this.#startRefresh({ force: true, used, target }));
    const current = this.#current?.tokens;
    const fresh = current ? this.#held(current, target)?.accessToken : undefined;
    return fresh !== undefined && fresh !== used ? fresh : null;
  }

  async #awaitBounded(flight: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log(`a request stopped waiting for the refresh after ${this.#waitMs} ms`);
        resolve();
      }, this.#waitMs);
    });
    try {
      await Promise.race([flight, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Joins the refresh under way for the same token, or queues one. Never rejects. */
  #startRefresh(request: RefreshRequest): Promise<void> {
    const key = request.target?.value ?? null;
    const joined = this.#flights.get(key);
    if (joined !== undefined) return joined;
    if (this.#now() < this.#retryAt) return Promise.resolve();
    // After the refresh queued before it, whatever its resource: with rotation, each must present
    // the refresh token the previous one stored (auth0-spa-js#1684 shows what parallel ones do).
    const flight = this.#serial
      .then(() => this.#refreshOnce(request))
      .catch((error: unknown) => this.#log(`refresh failed: ${error instanceof Error ? error.message : 'unknown error'}`))
      .finally(() => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      });
    this.#serial = flight;
    this.#flights.set(key, flight);
    return flight;
  }

  async #refreshOnce(request: RefreshRequest): Promise<void> {
    const refresh = this.#refresh;
    if (refresh === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('refresh timed out')), this.#refreshCallTimeoutMs);
    try {
      await withRefreshLock(this.#locks, this.#lockName, controller.signal, async () => {
        // Inside the lock, the stored session is the truth: another context may have refreshed.
        const stored = await this.#adopt(await this.#store.read());
        const tokens = stored.tokens;
        if (tokens === null || tokens.refreshToken === undefined) return;
        const target = request.target;
        const held = this.#held(tokens, target);
        const stillNeeded = request.force ? held?.accessToken === undefined || held.accessToken === request.used : this.#needsRefresh(held);
        if (!stillNeeded) return;

        let fresh: TokenSet;
        let accessToken: string;
        try {
          const result = target === undefined ? refresh(tokens.refreshToken, controller.signal) : refresh(tokens.refreshToken, controller.signal, target);
          fresh = parseTokenSet(await result, 'refresh tokens');
          if (fresh.accessToken === undefined) throw new TypeError('Failed to refresh tokens: the result has no accessToken');
          accessToken = fresh.accessToken;
        } catch (error) {
          if (error instanceof RefreshRejectedError) {
            this.#log(`the refresh token was refused${error.oauthError ? ` (${error.oauthError})` : ''}: ending the session`);
            await this.end('refresh-rejected', stored.epoch);
            return;
          }
          this.#failures += 1;
          this.#retryAt = this.#now() + Math.min(BACKOFF_BASE_MS * 2 ** (this.#failures - 1), BACKOFF_MAX_MS);
          throw error;
        }
        this.#failures = 0;
        this.#retryAt = 0;
        const token: ResourceToken = { accessToken };
        const expiresAt = expiresAtFor(fresh, this.#now());
        if (expiresAt !== undefined) token.expiresAt = expiresAt;
        // The other tokens stay: a refresh for one resource does not end another's. A server
        // that does not rotate keeps the old refresh token valid.
        const { accessToken: _, expiresAt: __, ...others } = tokens;
        const next: StoredTokens =
          target === undefined ? { ...others, ...token } : { ...tokens, resources: { ...tokens.resources, [target.value]: token } };
        next.refreshToken = fresh.refreshToken ?? tokens.refreshToken;
        // Written before any request can use the new access token (it is only read from memory,
        // which #commit sets after the write). Stale if the session changed meanwhile.
        await this.#commitIf(stored.epoch, { tokens: next, epoch: stored.epoch + 1 }, null);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes a record read from storage as the in-memory truth when it is newer. */
  async #adopt(stored: StoredSession): Promise<StoredSession> {
    const current = this.#current;
    if (current === null || stored.epoch > current.epoch) {
      this.#current = stored;
      if (current !== null && this.#snapshotOf(current).state !== this.#snapshotOf(stored).state) this.#onChange(this.#snapshotOf(stored), null);
    }
    return this.#current ?? stored;
  }

  #enqueue<T>(change: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(change, change);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes `next` (a record, or a function of the stored one returning `null` for no change) if
   * the stored epoch is still `epoch` (`null`: whatever it is), then makes it the in-memory truth
   * and tells the pages. Resolves with what is stored afterwards.
   */
  #commitIf(
    epoch: number | null,
    next: StoredSession | ((current: StoredSession) => StoredSession | null),
    lost: InvalidReason | null,
  ): Promise<StoredSession> {
    return this.#enqueue(async () => {
      let written: StoredSession | null = null;
      let result: StoredSession;
      try {
        result = await this.#store.update((current) => {
          if (epoch !== null && current.epoch !== epoch) return null;
          written = typeof next === 'function' ? next(current) : next;
          return written;
        });
      } catch (cause) {
        throw new BearerSwError('storage-failed', 'Failed to store the session: IndexedDB could not be written', { cause });
      }
      if (written === null) {
        await this.#adopt(result);
        return result;
      }
      this.#current = result;
      this.#onChange(this.#snapshotOf(result), lost);
      return result;
    });
  }

  /**
   * Replaces the session with tokens handed over by a page (validated by the caller), or those of
   * a login the worker ran itself, with its `identity` (raw ID token, claims, DPoP key pair).
   * @throws TypeError when the tokens cannot make a usable session with this config
   * @throws BearerSwError `storage-failed`
   */
  async handoff(tokens: TokenSet, identity?: { idToken: string; user: UserClaims; dpopKey?: CryptoKeyPair }): Promise<SessionSnapshot> {
    const receivedAt = this.#now();
    const expiresAt = tokens.accessToken === undefined ? undefined : expiresAtFor(tokens, receivedAt);
    if (this.#refresh === null || tokens.refreshToken === undefined) {
      if (tokens.accessToken === undefined) {
        throw new TypeError('Failed to hand off tokens: an accessToken is required, the worker has no refresh function');
      }
      if (expiresAt !== undefined && expiresAt <= receivedAt) {
        throw new TypeError('Failed to hand off tokens: the access token has already expired and cannot be refreshed');
      }
    }
    const stored: StoredTokens = { ...identity };
    if (tokens.accessToken !== undefined) stored.accessToken = tokens.accessToken;
    if (expiresAt !== undefined) stored.expiresAt = expiresAt;
    if (tokens.refreshToken !== undefined) stored.refreshToken = tokens.refreshToken;
    await this.ready();
    this.#failures = 0;
    this.#retryAt = 0;
    return this.#snapshotOf(await this.#commitIf(null, (current) => ({ tokens: stored, epoch: current.epoch + 1 }), null));
  }

  /**
   * Clears the tokens at the app's request; a refresh under way is discarded.
   * @param ended - told the tokens it cleared (`null`: none), so a login can revoke them
   */
  async logout(ended?: (tokens: StoredTokens | null) => void): Promise<SessionSnapshot> {
    await this.ready();
    return this.#snapshotOf(
      await this.#commitIf(
        null,
        (current) => {
          ended?.(current.tokens);
          return { tokens: null, epoch: current.epoch + 1 };
        },
        null,
      ),
    );
  }

  /**
   * Ends the session because it was lost, unless it changed since `epoch` (then this news is
   * stale and nothing happens). Pages hear `session-invalid` once.
   */
  async end(reason: InvalidReason, epoch: number): Promise<void> {
    await this.ready();
    await this.#commitIf(epoch, (current) => (current.tokens === null ? null : { tokens: null, epoch: current.epoch + 1 }), reason);
  }
}
