import { BearerSwError } from '../shared/errors.js';

/**
 * The token endpoint refused the refresh token (400 or 401, such as `invalid_grant`): the session
 * cannot continue and ends in every tab with `session-invalid` (`refresh-rejected`).
 *
 * Throw it from a custom `RefreshFn` to say the refresh token is no longer any good.
 *
 * @example
 * ```ts
 * if (response.status === 400) throw new RefreshRejectedError('Failed to refresh tokens: invalid_grant')
 * ```
 */
export class RefreshRejectedError extends BearerSwError {
  /** The OAuth `error` code the server sent, when there was one (`invalid_grant`, …). */
  readonly oauthError: string | undefined;

  constructor(message: string, options?: { cause?: unknown; oauthError?: string }) {
    super('refresh-rejected', message, options);
    this.name = 'RefreshRejectedError';
    this.oauthError = options?.oauthError;
  }
}

/**
 * The refresh did not happen this time (network failure, timeout, 5xx, 429): the session goes on,
 * the worker backs off and tries again later. Any error a `RefreshFn` throws that is not a
 * {@link RefreshRejectedError} counts as this kind.
 *
 * @example
 * ```ts
 * if (response.status >= 500) throw new RefreshUnavailableError('Failed to refresh tokens: 503')
 * ```
 */
export class RefreshUnavailableError extends BearerSwError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('refresh-unavailable', message, options);
    this.name = 'RefreshUnavailableError';
  }
}
