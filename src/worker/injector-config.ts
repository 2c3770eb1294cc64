import type { TokenSet } from '../shared/token-set.js';
import { compileRule, type ApiRule, type CompiledRule, type TokenTarget } from './api-rule.js';
import type { PerApiTokens } from './per-api-tokens.js';
import { createRuleMatcher, type RuleMatcher } from './rule-matcher.js';
import type { WorkerLogin } from './worker-login.js';
import { msg } from '../shared/message.js';

/**
 * Obtains new tokens from a refresh token. Throw `RefreshRejectedError` when the server refused
 * the refresh token (the session ends), anything else for a transient failure.
 *
 * `target` is set when the access token is for a rule's `resource` (or `audience`): the refresh
 * must ask for a token for exactly that (RFC 8707), or the API will refuse it.
 */
export type RefreshFn = (refreshToken: string, signal: AbortSignal, target?: TokenTarget) => Promise<TokenSet>;

/** What the app's service worker passes to `installTokenInjector`. */
export interface InjectorConfig {
  /** The allowlist: the only requests that ever get a token. Non-empty. */
  apis: ApiRule[];
  /** Absent: no refresh; an expired access token ends the session. Not with `login`, which refreshes itself. */
  refresh?: RefreshFn;
  /**
   * The worker runs the login itself: `oidcLogin({ issuer, clientId, redirectUri })` from
   * `bearer-sw/worker/login`. Pages start it with `session.login()` and never see a token.
   */
  login?: WorkerLogin;
  /**
   * Refresh this many seconds before expiry. Default 30. At most half the access token's lifetime
   * is used (a 15 s token refreshes 7.5 s before expiry), so a short-lived token is not refreshed
   * on every request; the debug log says when it was shortened.
   */
  refreshLeewaySeconds?: number;
  /** The longest a request waits for a refresh before it goes out with the token it has. Default 10 000. */
  refreshTimeoutMs?: number;
  /**
   * The longest one refresh may take, in ms: the wait for the cross-context lock plus the call to
   * `refresh`, whose `signal` aborts then (the attempt counts as a transient failure). It goes on
   * after `refreshTimeoutMs` has let the waiting requests go, so a late answer is still stored.
   * Default 30 000.
   */
  refreshCallTimeoutMs?: number;
  /** IndexedDB database holding the tokens. Default `'bearer-sw'`. */
  databaseName?: string;
  /** Let pages read the access token with `session.getAccessToken()`. Default `false`. */
  exposeAccessToken?: boolean;
  /**
   * Log to the console (`console.debug`, prefix `[bearer-sw]`) one line per request the worker
   * sees (method, URL without its query, the decision, the rule), what the static routes send to
   * the network, refreshes and dropped messages. Never a token, a code or a secret. Default `false`.
   */
  debug?: boolean;
  /**
   * Register static routes at install (Chromium) so navigations, `no-cors` requests (Chromium
   * 123+) and requests no rule can match (127+) go straight to the network without waking the
   * worker. They apply to the whole scope: when the same worker also serves other requests itself,
   * call `workboxComposition()` (`bearer-sw/worker/workbox`), which leaves the worker's own origin
   * to those handlers, or set `false`. Default `true`.
   */
  staticRoutes?: boolean;
  /** Per-API tokens: `perApiTokens()`, which allows rules with `resource` or `audience`. */
  perApiTokens?: PerApiTokens;
  /**
   * Whether a new version of the worker takes over at install (`true`, default) or waits until a
   * page asks (`false`: vite-plugin-pwa's `registerType: 'prompt'`; `workboxComposition({
   * activation: 'prompt' })` sets it and answers the page's `SKIP_WAITING`). Either way the new
   * version claims the pages when it activates and serves the session stored in IndexedDB.
   */
  skipWaiting?: boolean;
}

/** The config after validation. */
export interface CompiledConfig {
  /** The allowlist, validated and compiled once. */
  readonly rules: readonly CompiledRule[];
  readonly matcher: RuleMatcher;
  readonly refresh: RefreshFn | null;
  readonly login: WorkerLogin | null;
  readonly refreshLeewayMs: number;
  readonly refreshTimeoutMs: number;
  readonly refreshCallTimeoutMs: number;
  readonly databaseName: string;
  readonly exposeAccessToken: boolean;
  readonly debug: boolean;
  readonly staticRoutes: boolean;
  readonly skipWaiting: boolean;
}

function fail(reason: string): never {
  throw new TypeError(msg`Failed to install the token injector: ${reason}`);
}

/**
 * Validates the injector config once, at worker start.
 *
 * @throws TypeError naming the first problem found
 * @example
 * ```ts
 * compileConfig({ apis: [{ origin: 'https://api.example.com' }] })
 * ```
 */
export function compileConfig(config: unknown): CompiledConfig {
  if (typeof config !== 'object' || config === null) fail(msg`config must be an object`);
  const input = config as Record<string, unknown>;
  if (!Array.isArray(input.apis) || input.apis.length === 0) fail(msg`apis must be a non-empty array of rules`);
  const rules = input.apis.map((rule, index) => compileRule(rule, index, input.perApiTokens as PerApiTokens | undefined));
  if (input.refresh !== undefined && typeof input.refresh !== 'function') fail(msg`refresh must be a function`);
  const login = (input.login as WorkerLogin | undefined) ?? null;
  // The config's own refresh first: a login refuses to share the session with one (at attach).
  const refresh = (input.refresh as RefreshFn | undefined) ?? login?.refresh ?? null;
  if (refresh === null && rules.some((rule) => rule.target !== null)) fail(msg`resource and audience need refresh`);
  const leeway = input.refreshLeewaySeconds ?? 30;
  if (typeof leeway !== 'number' || !Number.isFinite(leeway) || leeway < 0) {
    fail(msg`refreshLeewaySeconds must be a finite number of seconds, zero or more`);
  }
  const refreshTimeoutMs = input.refreshTimeoutMs ?? 10_000;
  const refreshCallTimeoutMs = input.refreshCallTimeoutMs ?? 30_000;
  for (const [key, value] of [['refreshTimeoutMs', refreshTimeoutMs], ['refreshCallTimeoutMs', refreshCallTimeoutMs]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(msg`${key} must be a positive finite number of milliseconds`);
  }
  const databaseName = input.databaseName ?? 'bearer-sw';
  if (typeof databaseName !== 'string' || databaseName.length === 0) fail(msg`databaseName must be a non-empty string`);
  for (const key of ['exposeAccessToken', 'debug', 'staticRoutes', 'skipWaiting'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean') fail(msg`${key} must be a boolean`);
  }
  return {
    rules,
    matcher: createRuleMatcher(rules),
    refresh,
    login,
    refreshLeewayMs: leeway * 1000,
    refreshTimeoutMs: refreshTimeoutMs as number,
    refreshCallTimeoutMs: refreshCallTimeoutMs as number,
    databaseName,
    exposeAccessToken: input.exposeAccessToken === true,
    debug: input.debug === true,
    staticRoutes: input.staticRoutes !== false,
    skipWaiting: input.skipWaiting !== false,
  };
}
