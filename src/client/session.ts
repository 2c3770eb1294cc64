import { BearerSwError } from '../shared/errors.js';
import { isSnapshotResult, parseWorkerMessage, type InvalidReason, type SessionSnapshot, type SessionState } from '../shared/protocol.js';
import { parseTokenSet, type TokenSet } from '../shared/token-set.js';
import { sendRequest } from './send-request.js';

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
export class Session extends EventTarget {
  readonly #channel: SessionChannel;
  #state: SessionState = 'unauthenticated';
  #epoch = -1;
  #lostEpoch = -1;

  /** @internal Created by `registerTokenInjector`. */
  constructor(channel: SessionChannel, initial: SessionSnapshot) {
    super();
    this.#channel = channel;
    this.#apply(initial, false);
    channel.container.addEventListener('message', (event) => this.#onMessage(event));
  }

  /** `'authenticated'` while the worker holds usable tokens. */
  get state(): SessionState {
    return this.#state;
  }

  #worker(action: string): ServiceWorker {
    const worker = this.#channel.registration.active ?? this.#channel.container.controller;
    if (worker === null) throw new BearerSwError('no-controller', `Failed to ${action}: the service worker is no longer active`);
    return worker;
  }

  #apply(snapshot: SessionSnapshot, notify = true): void {
    if (snapshot.epoch < this.#epoch) return; // older news than what this tab already knows
    this.#epoch = snapshot.epoch;
    if (snapshot.state === this.#state) return;
    this.#state = snapshot.state;
    if (notify) this.dispatchEvent(new Event('statechange'));
  }

  #onMessage(event: MessageEvent<unknown>): void {
    const source = event.source;
    if (!(source instanceof ServiceWorker) || source.scriptURL !== this.#channel.scriptURL) return;
    const message = parseWorkerMessage(event.data);
    if (message === null) return;
    if (message.type === 'state') this.#apply(message.payload);
    else if (message.type === 'session-invalid' && message.payload.epoch > this.#lostEpoch) {
      this.#lostEpoch = message.payload.epoch;
      this.#apply({ state: 'unauthenticated', epoch: message.payload.epoch });
      this.dispatchEvent(new CustomEvent<SessionInvalidDetail>('session-invalid', { detail: { reason: message.payload.reason } }));
    }
  }

  /**
   * Hands tokens to the worker after login. Resolves once the worker has stored them.
   *
   * @param tokens - `accessToken` and/or `refreshToken`, `expiresIn` in seconds
   * @throws TypeError for malformed tokens (the session stays as it was)
   * @throws BearerSwError `timeout`, `storage-failed`
   * @example
   * ```ts
   * await session.handoff({ accessToken, refreshToken, expiresIn: 300 })
   * ```
   */
  async handoff(tokens: TokenSet): Promise<void> {
    const action = 'hand off tokens';
    const clean = parseTokenSet(tokens, action);
    const snapshot = await sendRequest(this.#worker(action), 'handoff', clean, { timeout: this.#channel.timeout, action });
    if (isSnapshotResult(snapshot)) this.#apply(snapshot);
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
    const action = 'log out';
    const snapshot = await sendRequest(this.#worker(action), 'logout', undefined, { timeout: this.#channel.timeout, action });
    if (isSnapshotResult(snapshot)) this.#apply(snapshot);
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
    const action = 'get the access token';
    const result = await sendRequest(this.#worker(action), 'get-access-token', undefined, { timeout: this.#channel.timeout, action });
    return typeof result?.accessToken === 'string' ? result.accessToken : null;
  }

  override addEventListener<K extends keyof SessionEventMap>(
    type: K,
    listener: ((this: Session, event: SessionEventMap[K]) => unknown) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }
}
