import type { TokenSet } from '../../shared/token-set.js';
import type { RefreshFn } from '../injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../refresh-errors.js';
import { baseUrlOption, stringOption } from './preset-options.js';
import { errorCode, readJsonObject, vendorFetch } from './vendor-fetch.js';
import { msg } from '../../shared/message.js';

/** Options of {@link supabaseRefresh}. */
export interface SupabaseRefreshOptions {
  /** The project URL, as given to `createClient`: `https://<project-ref>.supabase.co`. */
  url: string;
  /** The project's public key: a publishable key (`sb_publishable_…`) or the legacy anon key. */
  apiKey: string;
}

/** The error codes with which Supabase Auth says the session is over (`supabase/auth`, `ErrorCode`). */
const DEAD_SESSION_CODES = new Set(['refresh_token_not_found', 'refresh_token_already_used', 'session_not_found', 'session_expired']);

/** The API version whose error bodies carry the code in `code` (auth-js sends the same). */
const API_VERSION = '2024-01-01';

// A legacy anon key is a JWT and also goes as Bearer, as supabase-js sends it; the newer keys
// (`sb_publishable_…`, `sb_secret_…`) are not JWTs and go in `apikey` only.
const JWT_SHAPED = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Turns Supabase Auth's answer to a refresh into tokens, or the right kind of error.
 *
 * - 200 with `access_token`: the new tokens (Supabase rotates the refresh token on every refresh).
 * - a dead-session code (`refresh_token_not_found`, `refresh_token_already_used`,
 *   `session_not_found`, `session_expired`, in `code` or `error_code`) or an older server's
 *   `invalid_grant`: {@link RefreshRejectedError}, carrying that code.
 * - anything else (network failure, 409 "too many concurrent refreshes", 429, 5xx including
 *   Cloudflare's 520–530, another 4xx, a malformed 200): {@link RefreshUnavailableError}.
 *
 * @example
 * ```ts
 * const tokens = await processSupabaseRefreshResponse(response)
 * ```
 */
export async function processSupabaseRefreshResponse(response: Response): Promise<TokenSet> {
  const body = await readJsonObject(response);
  if (!response.ok) {
    if (response.status >= 400 && response.status < 500) {
      const code = errorCode(body?.code) ?? errorCode(body?.error_code) ?? (body?.error === 'invalid_grant' ? 'invalid_grant' : undefined);
      if (code !== undefined && (DEAD_SESSION_CODES.has(code) || code === 'invalid_grant')) {
        throw new RefreshRejectedError(msg`Failed to refresh tokens: Supabase Auth ended the session (${code})`, { oauthError: code });
      }
      if (code !== undefined) throw new RefreshUnavailableError(msg`Failed to refresh tokens: Supabase Auth answered ${response.status} (${code})`);
    }
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: Supabase Auth answered ${response.status}`);
  }
  if (body === null || typeof body.access_token !== 'string') {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: Supabase Auth answered without an access_token`);
  }
  const tokens: TokenSet = { accessToken: body.access_token };
  if (typeof body.refresh_token === 'string') tokens.refreshToken = body.refresh_token;
  if (typeof body.expires_in === 'number' && Number.isFinite(body.expires_in) && body.expires_in >= 0) tokens.expiresIn = body.expires_in;
  return tokens;
}

/**
 * A {@link RefreshFn} for Supabase Auth (GoTrue): `POST <url>/auth/v1/token?grant_type=refresh_token`
 * with the JSON body `{ "refresh_token": … }`, the `apikey` header and `X-Supabase-Api-Version`,
 * as supabase-js sends it. Hand the worker the session supabase-js returned at sign-in.
 *
 * @param options - the project URL and its public key (it ships in your page bundle anyway)
 * @throws TypeError when an option is invalid (checked now, at worker start)
 * @example
 * ```ts
 * installTokenInjector({
 *   apis: [{ origin: 'https://abc.supabase.co', paths: ['/rest/v1', '/storage/v1', '/functions/v1'] }],
 *   refresh: supabaseRefresh({ url: 'https://abc.supabase.co', apiKey: 'sb_publishable_…' }),
 * })
 * ```
 */
export function supabaseRefresh(options: SupabaseRefreshOptions): RefreshFn {
  if (typeof options !== 'object' || options === null) throw new TypeError(msg`Failed to create the Supabase refresh function: options must be an object`);
  const endpoint = new URL('auth/v1/token?grant_type=refresh_token', baseUrlOption(options.url, 'url', 'Supabase')).href;
  const apiKey = stringOption(options.apiKey, 'apiKey', 'Supabase');
  const headers: Record<string, string> = {
    apikey: apiKey,
    'content-type': 'application/json;charset=UTF-8',
    'x-supabase-api-version': API_VERSION,
    'x-client-info': 'bearer-sw',
  };
  if (JWT_SHAPED.test(apiKey)) headers.authorization = `Bearer ${apiKey}`;
  return async (refreshToken, signal) =>
    processSupabaseRefreshResponse(
      await vendorFetch('Supabase Auth', endpoint, {
        method: 'POST',
        credentials: 'omit',
        headers,
        body: JSON.stringify({ refresh_token: refreshToken }),
        signal,
      }),
    );
}
