import type { TokenSet } from '../shared/token-set.js';
import type { TokenTarget } from './api-rule.js';
import type { RefreshFn } from './injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from './refresh-errors.js';
import { msg } from '../shared/message.js';

/** Options of {@link oauth2Refresh}. */
export interface OAuth2RefreshOptions {
  /** The authorization server's token endpoint (absolute http(s) URL). */
  tokenEndpoint: string;
  /** The public client's id, sent as `client_id`. */
  clientId: string;
  /** Sent as `scope` when given (a narrower scope than the grant's). */
  scope?: string;
  /** Extra `fetch` options (headers such as an `apikey`); method, body and signal are ours. */
  fetchOptions?: RequestInit;
}

function fail(reason: string): never {
  throw new TypeError(msg`Failed to create the OAuth 2.0 refresh function: ${reason}`);
}

/**
 * Sends the refresh-token grant (RFC 6749 §6): a form-encoded POST of `grant_type=refresh_token`,
 * `refresh_token`, `client_id` and, when given, `scope` and the `target` resource (RFC 8707
 * `resource=`, or `audience=`).
 *
 * @returns the token endpoint's response, whatever its status
 * @throws RefreshUnavailableError when no response came (network failure, abort)
 * @example
 * ```ts
 * const response = await refreshTokenGrantRequest(options, refreshToken, signal)
 * ```
 */
export async function refreshTokenGrantRequest(options: OAuth2RefreshOptions, refreshToken: string, signal: AbortSignal, target?: TokenTarget): Promise<Response> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId });
  if (options.scope !== undefined) body.set('scope', options.scope);
  if (target !== undefined) body.set(target.parameter, target.value);
  const headers = new Headers(options.fetchOptions?.headers);
  headers.set('content-type', 'application/x-www-form-urlencoded');
  headers.set('accept', 'application/json');
  try {
    return await fetch(options.tokenEndpoint, {
      credentials: 'omit',
      cache: 'no-store',
      ...options.fetchOptions,
      method: 'POST',
      headers,
      body,
      signal,
    });
  } catch (cause) {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: the token endpoint could not be reached`, { cause });
  }
}

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Turns the token endpoint's response into a {@link TokenSet}, or the right kind of error.
 *
 * - 2xx with an `access_token`: the new tokens (`refresh_token` and `expires_in` when sent).
 * - 2xx with a `refresh_token` but no `access_token`: the new refresh token alone (the worker keeps
 *   it, since the one it sent may be spent, and counts the refresh as failed).
 * - 400 or 401: {@link RefreshRejectedError}, carrying the OAuth `error` code.
 * - anything else (429, 5xx, a 2xx with neither token): {@link RefreshUnavailableError}.
 *
 * @example
 * ```ts
 * const tokens = await processRefreshTokenResponse(response)
 * ```
 */
export async function processRefreshTokenResponse(response: Response): Promise<TokenSet> {
  if (response.status === 400 || response.status === 401) {
    const body = await readJson(response);
    const oauthError = typeof body?.error === 'string' && /^[\x20-\x7e]{1,64}$/.test(body.error) ? body.error : undefined;
    const options = oauthError === undefined ? {} : { oauthError };
    throw new RefreshRejectedError(msg`Failed to refresh tokens: the server refused the refresh token (${oauthError ?? response.status})`, options);
  }
  if (!response.ok) {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: the token endpoint answered ${response.status}`);
  }
  const body = (await readJson(response)) ?? {};
  const tokens: TokenSet = {};
  if (typeof body.access_token === 'string') tokens.accessToken = body.access_token;
  if (typeof body.refresh_token === 'string') tokens.refreshToken = body.refresh_token;
  if (!tokens.accessToken && !tokens.refreshToken) {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: the token endpoint answered without an access_token`);
  }
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= 0) tokens.expiresIn = expiresIn;
  return tokens;
}

/**
 * A {@link RefreshFn} for any OAuth 2.0 / OpenID Connect server with a standard token endpoint
 * (Auth0, Okta, Keycloak, Authgear, oidc-provider, …) and a public client.
 *
 * @param options - token endpoint, client id, optional scope and extra fetch options
 * @throws TypeError when an option is invalid (checked now, at worker start)
 * @example
 * ```ts
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com' }],
 *   refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.example.com/oauth/token', clientId: 'spa' }),
 * })
 * ```
 */
export function oauth2Refresh(options: OAuth2RefreshOptions): RefreshFn {
  if (typeof options !== 'object' || options === null) fail(msg`options must be an object`);
  let endpoint: URL;
  try {
    endpoint = new URL(options.tokenEndpoint);
  } catch {
    fail(msg`tokenEndpoint '${String(options.tokenEndpoint)}' is not an absolute URL`);
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') fail(msg`tokenEndpoint must use http or https`);
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) fail(msg`clientId must be a non-empty string`);
  if (options.scope !== undefined && typeof options.scope !== 'string') fail(msg`scope must be a string`);
  const frozen: OAuth2RefreshOptions = { ...options, tokenEndpoint: endpoint.href };
  return async (refreshToken, signal, target) => processRefreshTokenResponse(await refreshTokenGrantRequest(frozen, refreshToken, signal, target));
}
