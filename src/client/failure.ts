import { BearerSwError, type ErrorCode } from '../shared/errors.js';

/**
 * A {@link BearerSwError} worded as every bearer-sw error is: `Failed to <action>: <reason>`.
 *
 * @param code - the stable error code
 * @param action - what the page was doing, e.g. `'log out'`
 * @param reason - why it failed, without token values
 * @param options - `cause` of the failure, if any
 * @example
 * ```ts
 * throw failure('no-controller', 'log out', 'no worker is active')
 * ```
 */
export function failure(code: ErrorCode, action: string, reason: string, options?: { cause: unknown }): BearerSwError {
  return new BearerSwError(code, `Failed to ${action}: ${reason}`, options);
}
