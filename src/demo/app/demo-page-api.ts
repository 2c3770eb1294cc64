// What the demo page exposes on `window.demo`, for the driver (and for a curious person's console). Everything it
// returns is plain JSON, and nothing in it is or contains a token.
import type { SessionState } from 'bearer-sw/client';

import type { SeenToken } from '../server/demo-api.js';

/** Which server a call goes to: the allowlisted API, or a third party the worker must leave alone. */
export type CallTarget = 'api' | 'third-party';

/** What one `fetch()` from the page came back with. */
export interface CallOutcome {
  target: CallTarget;
  path: string;
  /** HTTP status, or 0 when the fetch failed. */
  status: number;
  /** What the server said it saw (`null`: no token arrived). */
  token: SeenToken | null;
  /** Why the fetch failed, when it did. */
  error?: string;
}

/** A session event as this tab received it. */
export interface DemoEvent {
  type: 'statechange' | 'session-invalid';
  /** `session.state` right after the event. */
  state: SessionState;
  /** The `session-invalid` reason. */
  reason?: string;
  /** `Date.now()` when it arrived. */
  at: number;
}

/** `window.demo`. */
export interface DemoPageApi {
  /** `A`, `B`, …: which tab this is (from `?tab=`, kept in sessionStorage across the login redirect). */
  readonly tab: string;
  /** The session state as this tab's `Session` knows it. */
  state(): SessionState;
  /** Whether the worker controls this page. */
  controlled(): boolean;
  /** Session events received so far by this page load. */
  events(): DemoEvent[];
  /** The last login failure this page load heard of (`login-failed`: code and message), if any. */
  loginError(): string | null;
  /** One plain `fetch()` to the API or the third party. */
  call(target: CallTarget, path: string): Promise<CallOutcome>;
  /** `count` parallel `fetch()` calls to the API. */
  burst(count: number, path: string): Promise<CallOutcome[]>;
  /** Fetches the API every `intervalMs` until {@link DemoPageApi.stopPolling}. */
  startPolling(intervalMs: number): void;
  /** Stops polling; resolves with every outcome of the polling, once the last call settled. */
  stopPolling(): Promise<CallOutcome[]>;
  /** Asks the worker to start the login (the tab navigates to the provider). */
  login(): Promise<void>;
  /** The signed-in user's `sub` and `name` (claims of the worker-validated ID token), or `null`. */
  user(): { sub: string; name: string | null } | null;
  /** A page script's POST to the provider's token endpoint: the status it got and the `error` code of the body. */
  postToTokenEndpoint(): Promise<{ status: number; error: string | null }>;
  /** Ends the session in every tab. */
  logout(): Promise<void>;
}

declare global {
  interface Window {
    demo: DemoPageApi;
  }
}
