import type { TokenSet } from '../../shared/token-set.js';
import type { RefreshFn } from '../injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../refresh-errors.js';
import { baseUrlOption, stringOption } from './preset-options.js';
import { errorCode, readJsonObject, vendorFetch } from './vendor-fetch.js';
import { msg } from '../../shared/message.js';

/** Options of {@link stackAuthRefresh}. */
export interface StackAuthRefreshOptions {
  /** The project's id (`x-stack-project-id`). */
  projectId: string;
  /** The project's publishable client key (`x-stack-publishable-client-key`): public, like the project id. */
  publishableClientKey: string;
  /** The Stack Auth API. Default `https://api.stack-auth.com`; your own for a self-hosted Stack. */
  baseUrl?: string;
}

/** The known error with which Stack Auth says the refresh token is gone (the session ended). */
const SESSION_ENDED = 'REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED';

/**
 * Turns Stack Auth's answer to a refresh into tokens, or the right kind of error.
 *
 * - 200 with `access_token`: the new access token. Stack does not rotate refresh tokens, so the
 *   result has none and the worker keeps the one it has.
 * - the known error `REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED` (body `code`, or the `x-stack-known-error`
 *   header): {@link RefreshRejectedError}.
 * - anything else (network failure, 429, 5xx, another known error, a malformed 200):
 *   {@link RefreshUnavailableError}.
 *
 * @example
 * ```ts
 * const tokens = await processStackAuthRefreshResponse(response)
 * ```
 */
export async function processStackAuthRefreshResponse(response: Response): Promise<TokenSet> {
  const body = await readJsonObject(response);
  if (!response.ok) {
    const known = errorCode(body?.code) ?? errorCode(response.headers.get('x-stack-known-error'));
    if (known === SESSION_ENDED) throw new RefreshRejectedError(msg`Failed to refresh tokens: Stack Auth ended the session (${known})`, { oauthError: known });
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: Stack Auth answered ${response.status}${known === undefined ? '' : ` (${known})`}`);
  }
  if (body === null || typeof body.access_token !== 'string') {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: Stack Auth answered without an access_token`);
  }
  return { accessToken: body.access_token };
}

/**
 * A {@link RefreshFn} for Stack Auth: `POST <baseUrl>/api/v1/auth/sessions/current/refresh` with
 * the refresh token in `x-stack-refresh-token` and the project's client headers. It never sends
 * `x-stack-override-error-status` (which would turn errors into 200s). The access token's expiry
 * comes from its `exp`.
 *
 * @param options - project id, publishable client key, and the API's URL when self-hosted
 * @throws TypeError when an option is invalid (checked now, at worker start)
 * @example
 * ```ts
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com', header: 'x-stack-access-token', scheme: null }],
 *   refresh: stackAuthRefresh({ projectId: '<project id>', publishableClientKey: 'pck_…' }),
 * })
 * ```
 */
export function stackAuthRefresh(options: StackAuthRefreshOptions): RefreshFn {
  if (typeof options !== 'object' || options === null) throw new TypeError(msg`Failed to create the Stack Auth refresh function: options must be an object`);
  const base = baseUrlOption(options.baseUrl ?? 'https://api.stack-auth.com', 'baseUrl', 'Stack Auth');
  const endpoint = new URL('api/v1/auth/sessions/current/refresh', base).href;
  const projectId = stringOption(options.projectId, 'projectId', 'Stack Auth');
  const publishableClientKey = stringOption(options.publishableClientKey, 'publishableClientKey', 'Stack Auth');
  return async (refreshToken, signal) =>
    processStackAuthRefreshResponse(
      await vendorFetch('Stack Auth', endpoint, {
        method: 'POST',
        credentials: 'omit',
        headers: {
          'x-stack-access-type': 'client',
          'x-stack-project-id': projectId,
          'x-stack-publishable-client-key': publishableClientKey,
          'x-stack-refresh-token': refreshToken,
        },
        signal,
      }),
    );
}
