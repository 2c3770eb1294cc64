import type { TokenSet } from '../../shared/token-set.js';
import type { RefreshFn } from '../injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../refresh-errors.js';
import { baseUrlOption, stringOption } from './preset-options.js';
import { readJsonObject, vendorFetch } from './vendor-fetch.js';
import { msg } from '../../shared/message.js';

/** Options of {@link clerkSessionToken}. */
export interface ClerkSessionTokenOptions {
  /**
   * Your instance's Frontend API, on the app's own site: `https://clerk.example.com` for an app on
   * `https://app.example.com` (a production instance's default). Its session cookie must reach it.
   */
  frontendApi: string;
  /** A JWT template to mint instead of the default session token (its name, as in the dashboard). */
  template?: string;
}

/**
 * Turns the Frontend API's answer into tokens, or the right kind of error.
 *
 * - 200 `{ "object": "token", "jwt": … }`: the session token (its expiry comes from `exp`).
 * - 401: the session is signed out; {@link RefreshRejectedError}.
 * - anything else (network failure, 429, 5xx, a malformed 200): {@link RefreshUnavailableError}.
 *
 * @example
 * ```ts
 * const tokens = await processClerkTokenResponse(response)
 * ```
 */
export async function processClerkTokenResponse(response: Response): Promise<TokenSet> {
  if (response.status === 401) throw new RefreshRejectedError(msg`Failed to refresh tokens: Clerk signed the session out (401)`);
  if (!response.ok) throw new RefreshUnavailableError(msg`Failed to refresh tokens: the Clerk Frontend API answered ${response.status}`);
  const body = await readJsonObject(response);
  if (body === null || typeof body.jwt !== 'string') {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: the Clerk Frontend API answered without a jwt`);
  }
  return { accessToken: body.jwt };
}

/**
 * A {@link RefreshFn} that mints Clerk session tokens in the worker, from the Frontend API and
 * Clerk's own session cookie (`credentials: 'include'`): `POST <frontendApi>/v1/client/sessions/<session id>/tokens[/<template>]`.
 * A token is minted lazily, inside the request that needs one, once for every tab; no page has to
 * keep handing tokens over.
 *
 * What the worker is handed is the Clerk **session id** in place of a refresh token:
 * `session.handoff({ refreshToken: Clerk.session.id })` after Clerk's sign-in. The id alone mints
 * nothing: the HttpOnly cookie on the Frontend API's origin is the credential, which is why that
 * origin must be on the app's site.
 *
 * @param options - the Frontend API's URL and an optional JWT template name
 * @throws TypeError when an option is invalid (checked now, at worker start)
 * @example
 * ```ts
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com' }],
 *   refresh: clerkSessionToken({ frontendApi: 'https://clerk.example.com' }),
 * })
 * ```
 */
export function clerkSessionToken(options: ClerkSessionTokenOptions): RefreshFn {
  if (typeof options !== 'object' || options === null) throw new TypeError(msg`Failed to create the Clerk refresh function: options must be an object`);
  const base = baseUrlOption(options.frontendApi, 'frontendApi', 'Clerk');
  const template = options.template === undefined ? '' : `/${encodeURIComponent(stringOption(options.template, 'template', 'Clerk'))}`;
  return async (sessionId, signal) =>
    processClerkTokenResponse(
      // A form-encoded POST without custom headers: a CORS-simple request, no preflight.
      await vendorFetch('the Clerk Frontend API', new URL(`v1/client/sessions/${encodeURIComponent(sessionId)}/tokens${template}`, base).href, {
        method: 'POST',
        credentials: 'include',
        body: new URLSearchParams(),
        signal,
      }),
    );
}
