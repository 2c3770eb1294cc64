import type { BearerSwError } from '../shared/errors.js';
import type { InvalidReason, PageMessageType, SessionSnapshot, SessionState } from '../shared/protocol.js';
import type { TokenSet } from '../shared/token-set.js';
import { failure } from './failure.js';
import { sendRequest } from './send-request.js';
import { broadcastOf, snapshotOf } from './worker-messages.js';

/** Detail of the `session-invalid` event. */
export interface SessionInvalidDetail {
  /** `expired` (no way to refresh) or `refresh-rejected` (the server refused the refresh token). */
  reason: InvalidReason;
}

/** Event map of {@link Session}, for typed listeners. */
export interface SessionEventMap {
  statechange: Event;
  'session-invalid': CustomEvent<SessionInvalidDetail>;
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
 * Events: `statechange` whenever `state` changes; `session-invalid` (with `detail.reason`) once
 * when the session is lost rather than logged out.
 */
// Merged with the interface below, which only types the listeners EventTarget already takes.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Session extends EventTarget {
  readonly #channel: SessionChannel;
  #state: SessionState = 'unauthenticated';
  #epoch = -1;
  #lostEpoch = -1;

  /** @internal Created by `registerTokenInjector`, with the worker's answer to `hello`. */
  constructor(channel: SessionChannel, initial: unknown) {
    super();
    this.#channel = channel;
    this.#apply(snapshotOf(initial)); // no listener can be attached yet: nothing is told
    channel.container.addEventListener('message', (event) => this.#onMessage(event));
  }

  /** `'authenticated'` while the worker holds usable tokens. */
  get state(): SessionState {
    return this.#state;
  }

  /** Takes a checked snapshot from the worker (a reply or a broadcast), unless it is older news. */
  #apply(snapshot: SessionSnapshot | undefined): void {
    if (snapshot === undefined || snapshot.epoch < this.#epoch) return;
    this.#epoch = snapshot.epoch;
    if (snapshot.state === this.#state) return;
    this.#state = snapshot.state;
    this.dispatchEvent(new Event('statechange'));
  }

  #onMessage({ source, data }: MessageEvent<unknown>): void {
    if (!(source instanceof ServiceWorker) || source.scriptURL !== this.#channel.scriptURL) return;
    const broadcast = broadcastOf(data);
    if (broadcast?.type === 'state') this.#apply(broadcast.snapshot);
    else if (broadcast?.type === 'session-invalid' && broadcast.epoch > this.#lostEpoch) {
      this.#lostEpoch = broadcast.epoch;
      this.#apply({ state: 'unauthenticated', epoch: broadcast.epoch });
      this.dispatchEvent(new CustomEvent<SessionInvalidDetail>('session-invalid', { detail: { reason: broadcast.reason } }));
    }
  }

  #send(type: PageMessageType, action: string, payload?: unknown): Promise<unknown> {
    const worker = this.#channel.registration.active ?? this.#channel.container.controller;
    if (worker === null) return Promise.reject(failure('no-controller', action, 'the service worker is no longer active'));
    return sendRequest(worker, type, action, this.#channel.timeout, payload);
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
   * Ends the session in every tab: the worker forgets the tokens, no request carries one after.
   *
   * @throws BearerSwError `timeout`, `storage-failed`
   * @example
   * ```ts
   * await session.logout()
   * ```
   */
  async logout(): Promise<void> {
    this.#apply(snapshotOf(await this.#send('logout', 'log out')));
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
