import type { PageMessage, SessionSnapshot } from '../shared/protocol.js';
import type { CompiledRule } from './api-rule.js';
import type { RefreshFn } from './injector-config.js';
import type { RuleMatcher } from './rule-matcher.js';
import type { RouterCondition } from './static-routes.js';
import type { TokenSession } from './token-session.js';

/** What the worker gives a login object once, at start. */
export interface LoginBinding {
  /** The registration's scope URL: the redirect URI must lie inside it, `returnTo` on its origin. */
  scope: string;
  /** The injector's database name; the login keeps its own records next to it. */
  databaseName: string;
  /** The allowlist: a login that binds tokens to a key (DPoP) answers the requests it matches. */
  matcher: RuleMatcher;
  /** The compiled rules: a login asks for every rule's `resource` at authorization. */
  rules: readonly CompiledRule[];
  /** The session a finished login is stored in, and a logout clears. */
  session: Pick<TokenSession, 'handoff' | 'logout' | 'snapshot' | 'ready' | 'current' | 'accessToken' | 'accessTokenAfterUnauthorized'>;
  /** The refresh the session runs: the login's own, unless the config also set `refresh` (refused at attach). */
  refresh: RefreshFn | null;
  /** The debug log; absent when `debug` is off (call it as `log?.(…)`). */
  log?: ((message: string) => void) | undefined;
}

/**
 * The login half of the worker, created by `oidcLogin()` (from `bearer-sw/worker/login`) and
 * passed as `login` to `installTokenInjector`. The core only calls these methods and never
 * imports the login code, so a worker without `login` carries none of it.
 */
export interface WorkerLogin {
  /**
   * Called once at worker start.
   * @throws TypeError when the redirect URI lies outside the scope, or the config also has `refresh`
   */
  attach(binding: LoginBinding): void;
  /** Conditions of requests that must reach the fetch event even under static routes. */
  staticRoutes(): Promise<RouterCondition[]>;
  /**
   * The response for a request the login owns (the navigation to the redirect URI, a page's
   * request to the authorization server, with DPoP an allowlisted request), or `null` to leave it
   * to the rest of the worker.
   */
  intercept(event: FetchEvent): Promise<Response> | null;
  /**
   * The answer to a page request the login changes (`login`, `logout`, a refused `handoff`,
   * `hello` with the user and a failed login's news), or `undefined` to leave it to the core.
   */
  message(message: PageMessage, client: Client): Promise<unknown> | undefined;
  /**
   * Completes a snapshot of the session before every tab hears of a change (`state`): adds
   * `user` while the stored tokens carry the login's identity. Must not throw.
   */
  changed(snapshot: SessionSnapshot): void;
  /** Refreshes with the discovered token endpoint. */
  refresh: RefreshFn;
}
