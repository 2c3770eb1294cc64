import { msg } from './message.js';
/**
 * Coded errors shared by the worker and the page module.
 *
 * Every failure a program may want to react to carries a `code`; messages read
 * `Failed to <action>: <reason>` and never contain a token value.
 */

/** The codes a {@link BearerSwError} can carry: one list, for the type and the runtime guard. */
export const ERROR_CODES = [
  'unsupported',
  'timeout',
  'registration-failed',
  'no-controller',
  'version-mismatch',
  'invalid-argument',
  'invalid-message',
  'unknown-type',
  'not-allowed',
  'storage-failed',
  'refresh-rejected',
  'refresh-unavailable',
  'internal',
] as const;

/**
 * The codes of the worker's own login (`bearer-sw/worker/login`): a type only, so a worker without
 * login carries none of it. `login-unavailable`: the server could not be discovered; the others
 * reach the page as `login-failed` (see README, "login-failed").
 */
export type LoginErrorCode =
  | 'login-unavailable'
  | 'login-denied'
  | 'login-state-invalid'
  | 'login-response-invalid'
  | 'login-exchange-failed'
  | 'login-id-token-invalid';

/** A code a {@link BearerSwError} can carry. */
export type ErrorCode = (typeof ERROR_CODES)[number] | LoginErrorCode;

/**
 * The error class of bearer-sw: a message for people, a `code` for programs.
 *
 * @example
 * ```ts
 * try { await session.handoff(tokens) } catch (e) {
 *   if (e instanceof BearerSwError && e.code === 'timeout') retryLater()
 * }
 * ```
 */
export class BearerSwError extends Error {
  /** A stable identifier a program can switch on. */
  readonly code: ErrorCode;

  /**
   * @param code - the stable error code
   * @param message - `Failed to <action>: <reason>`, without token values
   * @param options - `cause` of the failure, if any
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BearerSwError';
    this.code = code;
  }
}

/** An error as it crosses the page/worker boundary (structured-clone safe). */
export interface SerializedError {
  code: ErrorCode;
  message: string;
}

/** Turns anything thrown into a {@link SerializedError}, keeping codes of our own errors. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof BearerSwError) return { code: error.code, message: error.message };
  if (error instanceof TypeError) return { code: 'invalid-argument', message: error.message };
  return { code: 'internal', message: msg`Failed to complete the request: an unexpected error in the worker` };
}

/**
 * Rebuilds an error received from the worker: argument errors become `TypeError`
 * (as they would have been had the page checked them itself), the rest {@link BearerSwError}.
 */
export function deserializeError(error: SerializedError): Error {
  if (error.code === 'invalid-argument') return new TypeError(error.message);
  return new BearerSwError(error.code, error.message);
}
