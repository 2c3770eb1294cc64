import type { TokenSet } from '../shared/token-set.js';
import { compileRule, type ApiRule, type CompiledRule, type TokenTarget } from './api-rule.js';
import { createRuleMatcher, type RuleMatcher } from './rule-matcher.js';
import type { WorkerLogin } from './worker-login.js';

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
  /** Refresh this many seconds before expiry. Default 30. */
  refreshLeewaySeconds?: number;
  /** The longest a request waits for a refresh before it goes out with the token it has. Default 10 000. */
  refreshTimeoutMs?: number;
  /** IndexedDB database holding the tokens. Default `'bearer-sw'`. */
  databaseName?: string;
  /** Let pages read the access token with `session.getAccessToken()`. Default `false`. */
  exposeAccessToken?: boolean;
  /** Log dropped messages and routing decisions to the console. Default `false`. */
  debug?: boolean;
  /**
   * Register static routes at install (Chromium 123+) so requests no rule can match go straight
   * to the network without waking the worker. They apply to the whole scope: set `false` when the
   * same worker also serves other requests itself (an offline cache, say). Default `true`.
   */
  staticRoutes?: boolean;
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
  readonly databaseName: string;
  readonly exposeAccessToken: boolean;
  readonly debug: boolean;
  readonly staticRoutes: boolean;
}

function fail(reason: string): never {
  throw new TypeError(`Failed to install the token injector: ${reason}`);
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
  if (typeof config !== 'object' || config === null) fail('config must be an object');
  const input = config as Record<string, unknown>;
  if (!Array.isArray(input.apis) || input.apis.length === 0) fail('apis must be a non-empty array of rules');
  const rules = input.apis.map((rule, index) => compileRule(rule, index));
  if (input.refresh !== undefined && typeof input.refresh !== 'function') fail('refresh must be a function');
  const login = (input.login as WorkerLogin | undefined) ?? null;
  if (login !== null && (typeof login.intercept !== 'function' || input.refresh !== undefined)) fail('login must be what oidcLogin() returns, without refresh');
  if (input.refresh === undefined && login === null && rules.some((rule) => rule.target !== null)) fail('resource and audience need refresh');
  const leeway = input.refreshLeewaySeconds ?? 30;
  if (typeof leeway !== 'number' || !Number.isFinite(leeway) || leeway < 0) {
    fail('refreshLeewaySeconds must be a finite number of seconds, zero or more');
  }
  const refreshTimeoutMs = input.refreshTimeoutMs ?? 10_000;
  if (typeof refreshTimeoutMs !== 'number' || !Number.isFinite(refreshTimeoutMs) || refreshTimeoutMs <= 0) {
    fail('refreshTimeoutMs must be a positive finite number of milliseconds');
  }
  const databaseName = input.databaseName ?? 'bearer-sw';
  if (typeof databaseName !== 'string' || databaseName.length === 0) fail('databaseName must be a non-empty string');
  for (const key of ['exposeAccessToken', 'debug', 'staticRoutes'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'boolean') fail(`${key} must be a boolean`);
  }
  return {
    rules,
    matcher: createRuleMatcher(rules),
    refresh: login?.refresh ?? (input.refresh as RefreshFn | undefined) ?? null,
    login,
    refreshLeewayMs: leeway * 1000,
    refreshTimeoutMs,
    databaseName,
    exposeAccessToken: input.exposeAccessToken === true,
    debug: input.debug === true,
    staticRoutes: input.staticRoutes !== false,
  };
}
