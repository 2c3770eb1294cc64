import { BearerSwError, type ErrorCode } from '../shared/errors.js';

/**
 * A {@link BearerSwError} worded as every bearer-sw error is: `Failed to <action>: <reason>`.
 *
 * @param code - the stable error code
 * @param action - what the page was doing, e.g. `'log out'`
 * @param reason - why it failed, without token values
 * @example
 * ```ts
 * throw failure('no-controller', 'log out', 'the service worker is no longer active')
 * ```
 */
export function failure(code: ErrorCode, action: string, reason: string): BearerSwError {
  return new BearerSwError(code, `Failed to ${action}: ${reason}`);
}
