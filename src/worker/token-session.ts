import { BearerSwError } from '../shared/errors.js';
import type { InvalidReason, SessionSnapshot } from '../shared/protocol.js';
import { parseTokenSet, type TokenSet } from '../shared/token-set.js';
import type { TokenTarget } from './api-rule.js';
import { expiresAtFor } from './expiry.js';
import type { RefreshFn } from './injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from './refresh-errors.js';
import { withRefreshLock } from './refresh-lock.js';
import type { ResourceToken, StoredSession, StoredTokens, TokenStore } from './token-store.js';
import { msg } from '../shared/message.js';

/** What the session tells the outside world after each change. */
export type SessionListener = (snapshot: SessionSnapshot, lost: InvalidReason | null) => void;

/** Options of {@link TokenSession}. */
export interface TokenSessionOptions {
  store: TokenStore;
  /** Obtains new tokens; `null` when the app configured no refresh. */
  refresh: RefreshFn | null;
  /**
   * Refresh this long before the access token expires; at most half the token's lifetime (counted
   * from when the worker received it), so a short-lived token is not refreshed on every request.
   */
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
  /** Debug log; absent when `debug` is off, so no message is even built. */
  log?: ((message: string) => void) | undefined;
  now?: () => number;
}

/** An access token with its expiry: the session's default one, or one resource's. */
type HeldToken = Pick<StoredTokens, 'accessToken' | 'expiresAt' | 'receivedAt'>;

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
  readonly #log: ((message: string) => void) | undefined;
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
    this.#log = options.log;
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
          throw new BearerSwError('storage-failed', msg`Failed to load the session: IndexedDB could not be read`, { cause });
        },
      );
      this.#loading = loading;
    }
    return this.#loading;
  }

  #snapshotOf(session: StoredSession): SessionSnapshot {
    const tokens = session.tokens;
    const usable = tokens !== null && (tokens.accessToken !== undefined || (this.#refresh !== null && tokens.refreshToken !== undefined));
    return { state: usable ? 'authenticated' : 'unauthenticated', epoch: session.epoch };
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

  /** The leeway for a token: the configured one, but at most half the access token's lifetime. */
  #leewayFor({ expiresAt, receivedAt }: HeldToken): number {
    return expiresAt === undefined || receivedAt === undefined ? this.#leewayMs : Math.min(this.#leewayMs, (expiresAt - receivedAt) / 2);
  }

  #needsRefresh(held: HeldToken | undefined): boolean {
    return held?.accessToken === undefined || (held.expiresAt !== undefined && this.#now() >= held.expiresAt - this.#leewayFor(held));
  }

  /** The access token `target` uses: the default one, or the resource's (absent until obtained). */
  #held(tokens: StoredTokens, target: TokenTarget | undefined): HeldToken | undefined {
    return target === undefined ? tokens : tokens.resources?.[target.value];
  }

  /** The stored form of a freshly received access token; says in the debug log when the leeway is shortened. */
  #received(tokens: TokenSet, receivedAt: number): HeldToken {
    const held: HeldToken = {};
    if (tokens.accessToken !== undefined) {
      held.accessToken = tokens.accessToken;
      const expiresAt = expiresAtFor(tokens, receivedAt);
      if (expiresAt !== undefined) {
        held.expiresAt = expiresAt;
        held.receivedAt = receivedAt;
        const leeway = this.#leewayFor(held);
        if (leeway < this.#leewayMs) {
          this.#log?.(`leeway shortened to ${leeway / 1000} s: the token lives ${(expiresAt - receivedAt) / 1000} s`);
        }
      }
    }
    return held;
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
    const tokens = session.tokens;
    if (tokens === null) return null;
    const held = this.#held(tokens, target);
    if (!this.#needsRefresh(held)) return held?.accessToken ?? null;
    if (target === undefined && (await this.#endIfExpired(session))) return null;
    if (this.#canRefresh(tokens)) {
      await this.#awaitBounded(this.#startRefresh({ force: false, target }));
      return this.#heldNow(target) ?? null;
    }
    return held?.accessToken ?? null;
  }

  /** The target's access token in the session as it is now (after a refresh or another tab's write). */
  #heldNow(target: TokenTarget | undefined): string | undefined {
    const tokens = this.#current?.tokens;
    return tokens ? this.#held(tokens, target)?.accessToken : undefined;
  }

  /**
   * What `session.getAccessToken()` answers: {@link accessToken}, but never an access token known
   * to have expired. `null` without a session (or once it ended).
   *
   * @throws BearerSwError `refresh-unavailable` when the token expired and the refresh could not
   *   give a new one yet (a transient failure, the backoff after one, or longer than `waitMs`)
   */
  async freshAccessToken(): Promise<string | null> {
    const token = await this.accessToken();
    const tokens = this.#current?.tokens;
    if (token !== null && tokens?.accessToken === token && this.#isExpired(tokens)) {
      throw new RefreshUnavailableError(msg`Failed to get the access token: it expired, not refreshed yet`);
    }
    return token;
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
    const fresh = this.#heldNow(target);
    return fresh !== undefined && fresh !== used ? fresh : null;
  }

  async #awaitBounded(flight: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log?.(`a request stopped waiting for the refresh after ${this.#waitMs} ms`);
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
      .catch((error: unknown) => this.#log?.(`refresh failed: ${error instanceof Error ? error.message : 'unknown error'}`))
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
    const timer = setTimeout(() => controller.abort(new Error(msg`refresh timed out`)), this.#refreshCallTimeoutMs);
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
        try {
          const result = target === undefined ? refresh(tokens.refreshToken, controller.signal) : refresh(tokens.refreshToken, controller.signal, target);
          fresh = parseTokenSet(await result, 'refresh tokens');
        } catch (error) {
          if (error instanceof RefreshRejectedError) {
            this.#log?.(`the refresh token was refused${error.oauthError ? ` (${error.oauthError})` : ''}: ending the session`);
            await this.end('refresh-rejected', stored.epoch);
            return;
          }
          // No tokens came back (no answer, an error status, a result that is not a token set): the
          // server may never have seen the call, so the same refresh token is tried again later.
          this.#backOff();
          throw error;
        }
        // The newest refresh token is the only one ever sent from now on. A server that does not
        // rotate answers without one: the one sent stays valid, as that server intends.
        const refreshToken = fresh.refreshToken ?? tokens.refreshToken;
        if (fresh.accessToken === undefined) {
          // A new refresh token alone: kept (the old one may be spent), the refresh counted as failed.
          this.#backOff();
          await this.#storeRefreshed(stored, { ...tokens, refreshToken });
          throw new RefreshUnavailableError(msg`Failed to refresh tokens: no accessToken`);
        }
        this.#failures = 0;
        this.#retryAt = 0;
        // (It has an accessToken: checked above.)
        const token = this.#received(fresh, this.#now()) as ResourceToken;
        // The other tokens stay: a refresh for one resource does not end another's.
        const { accessToken: _, expiresAt: __, receivedAt: ___, ...others } = tokens;
        const next: StoredTokens =
          target === undefined ? { ...others, ...token } : { ...tokens, resources: { ...tokens.resources, [target.value]: token } };
        next.refreshToken = refreshToken;
        await this.#storeRefreshed(stored, next);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  #backOff(): void {
    this.#failures += 1;
    this.#retryAt = this.#now() + Math.min(BACKOFF_BASE_MS * 2 ** (this.#failures - 1), BACKOFF_MAX_MS);
  }

  /**
   * Stores the tokens a refresh of `from` produced, as the next epoch unless the session changed
   * meanwhile (a logout or a newer handoff wins). Written before any request can use them (requests
   * read memory, which #commitIf sets after the write).
   *
   * When IndexedDB refuses the write, the server may already have rotated the refresh token it
   * was sent: sending that one again is what a lost response forces, never what a lost write
   * should. So the tokens are kept in memory and used, at the stored epoch, and the next change
   * (a refresh, a handoff, a logout) writes over the stored record as usual. Only a worker stopped
   * before then falls back to the stored, older refresh token, as after a lost response.
   */
  async #storeRefreshed(from: StoredSession, tokens: StoredTokens): Promise<void> {
    try {
      await this.#commitIf(from.epoch, { tokens, epoch: from.epoch + 1 }, null);
    } catch (error) {
      // (#commitIf only throws `storage-failed`.) A change committed meanwhile wins over these tokens.
      if (this.#current?.epoch !== from.epoch) throw error;
      this.#current = { tokens, epoch: from.epoch };
      this.#log?.('refreshed tokens not stored: used from memory until the next write');
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
        throw new BearerSwError('storage-failed', msg`Failed to store the session: IndexedDB could not be written`, { cause });
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
   * a login the worker ran itself, stored with its `extra` fields (the login's: raw ID token,
   * claims, DPoP key pair), which last as long as these tokens: kept by refreshes, gone at logout
   * or loss. Pages never see them; an extension shows what it chooses (see `WorkerLogin.changed`).
   * @throws TypeError when the tokens cannot make a usable session with this config
   * @throws BearerSwError `storage-failed`
   */
  async handoff(tokens: TokenSet, extra?: Pick<StoredTokens, 'idToken' | 'user' | 'dpopKey'>): Promise<SessionSnapshot> {
    const receivedAt = this.#now();
    // A handoff starts a new session: no resource's token carries over; the extra fields given do.
    const stored: StoredTokens = { ...extra, ...this.#received(tokens, receivedAt) };
    if (tokens.refreshToken !== undefined) stored.refreshToken = tokens.refreshToken;
    const expiresAt = stored.expiresAt;
    if (this.#refresh === null || tokens.refreshToken === undefined) {
      if (tokens.accessToken === undefined) {
        throw new TypeError(msg`Failed to hand off tokens: an accessToken is required without a refresh function`);
      }
      if (expiresAt !== undefined && expiresAt <= receivedAt) {
        throw new TypeError(msg`Failed to hand off tokens: the access token has already expired and cannot be refreshed`);
      }
    }
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
