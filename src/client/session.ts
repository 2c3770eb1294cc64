import type { BearerSwError } from '../shared/errors.js';
import type { InvalidReason, LoginFailedDetail, PageMessageType, SessionSnapshot, SessionState, UserClaims } from '../shared/protocol.js';
import type { TokenSet } from '../shared/token-set.js';
import { failure } from './failure.js';
import { sendRequest } from './send-request.js';
import { broadcastOf, snapshotOf } from './worker-messages.js';

/** Detail of the `session-invalid` event. */
export interface SessionInvalidDetail {
  /** `expired` (no way to refresh) or `refresh-rejected` (the server refused the refresh token). */
  reason: InvalidReason;
}

/** Options of {@link Session.login}. */
export interface LoginOptions {
  /** Where the tab lands after the login, a same-origin URL or path. Default: the current URL. */
  returnTo?: string;
  /** OpenID Connect `prompt`: `login`, `consent`, `select_account` or `none`. */
  prompt?: string;
  /** OpenID Connect `login_hint`, such as the user's email address. */
  loginHint?: string;
}

/** Options of {@link Session.logout}. */
export interface LogoutOptions {
  /** Also end the session at the authorization server (RP-initiated logout): the tab goes there. */
  endSession?: boolean;
}

/** Event map of {@link Session}, for typed listeners. */
export interface SessionEventMap {
  statechange: Event;
  'session-invalid': CustomEvent<SessionInvalidDetail>;
  'login-failed': CustomEvent<LoginFailedDetail>;
}

/** What a {@link Session} needs to reach its worker. */
export interface SessionChannel {
  container: ServiceWorkerContainer;
  registration: ServiceWorkerRegistration;
  /** Absolute URL of the worker script: messages from any other worker are ignored. */
  scriptURL: string;
  timeout: number;
}

/**
 * The page's handle on the session kept by the worker. One per tab; every tab's copy follows the
 * worker's broadcasts.
 *
 * Events: `statechange` whenever `state` or `user` changes; `session-invalid` (with
 * `detail.reason`) once when the session is lost rather than logged out; `login-failed` (with
 * `detail.code` and `detail.message`) in the tab a failed worker login landed on, dispatched right
 * after `registerTokenInjector` resolves (add the listener in the same task).
 */
// Merged with the interface below, which only types the listeners EventTarget already takes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Session extends EventTarget {
  readonly #channel: SessionChannel;
  /** The newest snapshot taken (state, epoch, user). */
  #last: SessionSnapshot = { state: 'unauthenticated', epoch: -1 };
  #lostEpoch = -1;

  /** @internal Created by `registerTokenInjector`, with the worker's answer to `hello`. */
  constructor(channel: SessionChannel, initial: unknown) {
    super();
    this.#channel = channel;
    this.#apply(snapshotOf(initial)); // no listener can be attached yet: nothing is told
    channel.container.addEventListener('message', (event) => this.#onMessage(event));
    const detail = (Object(initial) as { loginFailed?: LoginFailedDetail }).loginFailed;
    if (detail) setTimeout(() => this.dispatchEvent(new CustomEvent('login-failed', { detail })));
  }

  /** `'authenticated'` while the worker holds usable tokens. */
  get state(): SessionState {
    return this.#last.state;
  }

  /**
   * The signed-in user when the worker runs the login: the validated ID token's claims (`sub`,
   * and `name`, `email`, … when present); `null` when signed out or when tokens were handed over.
   */
  get user(): UserClaims | null {
    return this.#last.user ?? null;
  }

  /** Takes a checked snapshot from the worker (a reply or a broadcast), unless it is older news. */
  #apply(snapshot: SessionSnapshot | undefined): void {
    const last = this.#last;
    if (snapshot === undefined || snapshot.epoch < last.epoch) return;
    this.#last = snapshot;
    if (snapshot.state !== last.state || snapshot.user?.sub !== last.user?.sub) this.dispatchEvent(new Event('statechange'));
  }

  #onMessage({ source, data }: MessageEvent<unknown>): void {
    if (!(source instanceof ServiceWorker) || source.scriptURL !== this.#channel.scriptURL) return;
    const news = broadcastOf(data);
    if (!news?.reason) this.#apply(news);
    else if (news.epoch > this.#lostEpoch) {
      this.#lostEpoch = news.epoch;
      this.#apply(news);
      this.dispatchEvent(new CustomEvent<SessionInvalidDetail>('session-invalid', { detail: { reason: news.reason } }));
    }
  }

  /** Sends a request; a reply that says `navigate` (a login, a logout ending the server's session) sends this tab there. */
  async #send(type: PageMessageType, action: string, payload?: unknown): Promise<unknown> {
    const worker = this.#channel.registration.active ?? this.#channel.container.controller;
    if (worker === null) throw failure('no-controller', action, 'no worker is active');
    const reply = await sendRequest(worker, type, action, this.#channel.timeout, payload);
    const { navigate } = Object(reply) as { navigate?: string };
    if (navigate) location.assign(navigate);
    return reply;
  }

  /**
   * Hands tokens to the worker after login. Resolves once the worker has stored them.
   *
   * The worker checks them; other fields are ignored, but everything passed must be plain data
   * (structured-cloneable).
   *
   * @param tokens - `accessToken` and/or `refreshToken`, `expiresIn` in seconds
   * @throws TypeError for malformed tokens, named by the worker, or tokens that are not plain data
   *   or too large (the session stays as it was)
   * @throws BearerSwError `timeout`, `storage-failed`
   * @example
   * ```ts
   * await session.handoff({ accessToken, refreshToken, expiresIn: 300 })
   * ```
   */
  async handoff(tokens: TokenSet): Promise<void> {
    const action = 'hand off tokens';
    try {
      structuredClone(tokens); // what cannot be posted (a function, say) fails here, not in postMessage
    } catch {
      throw new TypeError(`Failed to ${action}: the tokens are not plain data`);
    }
    try {
      this.#apply(snapshotOf(await this.#send('handoff', action, tokens)));
    } catch (error) {
      // Our envelope is well-formed: the worker refuses it only when what it carries is too big.
      throw (error as BearerSwError).code === 'invalid-message' ? new TypeError(`Failed to ${action}: the tokens are too large`) : error;
    }
  }

  /**
   * Starts a login run by the worker (`oidcLogin` configured): the worker prepares the
   * authorization request and this tab navigates to the authorization server. The tab comes back
   * at `returnTo`, signed in (`statechange` in every tab) or with a `login-failed` event.
   *
   * @param options - `returnTo` (same-origin, default the current URL), `prompt`, `loginHint`
   * @throws TypeError for a `returnTo` on another origin or an unknown `prompt`
   * @throws BearerSwError `not-allowed` when the worker has no login; `login-unavailable` when the
   *   authorization server cannot be discovered; `timeout`
   * @example
   * ```ts
   * await session.login({ returnTo: '/inbox' })
   * ```
   */
  async login(options?: LoginOptions): Promise<void> {
    // The worker resolves `returnTo` against this tab's URL (and defaults to it).
    await this.#send('login', 'log in', options);
  }

  /**
   * Ends the session in every tab: the worker forgets the tokens, no request carries one after.
   * With the worker's login, the worker also revokes the refresh token at the server (RFC 7009)
   * and, with `endSession`, sends this tab to the server to end its session there too.
   *
   * @throws BearerSwError `timeout`, `storage-failed`
   * @example
   * ```ts
   * await session.logout({ endSession: true })
   * ```
   */
  async logout(options?: LogoutOptions): Promise<void> {
    this.#apply(snapshotOf(await this.#send('logout', 'log out', options)));
  }

  /**
   * A fresh access token for what the worker cannot reach (a WebSocket handshake), or `null`
   * without a session. Only when the worker was installed with `exposeAccessToken: true`.
   *
   * @throws BearerSwError `not-allowed` when the worker does not expose tokens; `timeout`
   * @example
   * ```ts
   * const token = await session.getAccessToken()
   * ```
   */
  async getAccessToken(): Promise<string | null> {
    const { accessToken } = Object(await this.#send('get-access-token', 'get the access token')) as { accessToken?: unknown };
    return typeof accessToken === 'string' ? accessToken : null;
  }
}

/** Typed listeners: declared only, EventTarget's own addEventListener does the work. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Session {
  addEventListener<K extends keyof SessionEventMap>(
    type: K,
    listener: ((this: Session, event: SessionEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
