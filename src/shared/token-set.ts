import { msg } from './message.js';
/**
 * The token set an app hands over after login, and the one a refresh returns.
 */
export interface TokenSet {
  /** The access token attached to API requests. */
  accessToken?: string;
  /** The refresh token the worker uses to obtain a new access token. */
  refreshToken?: string;
  /** Lifetime of the access token in seconds, counted from when the worker receives it. */
  expiresIn?: number;
}

/** A token is sent as an HTTP header value: visible ASCII only, so it can never split a header. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

/** Longest token accepted (bytes); real access tokens are a few KiB at most. */
export const MAX_TOKEN_LENGTH = 16_384;

const SNAKE_CASE_HINTS: Record<string, string> = {
  access_token: 'accessToken',
  refresh_token: 'refreshToken',
  expires_in: 'expiresIn',
};

function checkToken(value: unknown, key: string, action: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new TypeError(msg`Failed to ${action}: ${key} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  if (value.length === 0) throw new TypeError(msg`Failed to ${action}: ${key} must not be empty`);
  if (value.length > MAX_TOKEN_LENGTH) {
    throw new TypeError(msg`Failed to ${action}: ${key} is longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  if (!HEADER_SAFE_TOKEN.test(value)) {
    throw new TypeError(msg`Failed to ${action}: ${key} has characters not allowed in an HTTP header`);
  }
  return value;
}

/**
 * Validates an untrusted token set and returns a clean copy holding only the known fields.
 *
 * @param input - what the app (or a refresh function) produced
 * @param action - the action named in error messages, e.g. `'hand off tokens'`
 * @returns a new object with `accessToken`, `refreshToken` and `expiresIn` where present
 * @throws TypeError naming the problem: not an object, no token at all, a non-string or
 *   non-header-safe token, a negative or non-finite `expiresIn`, an OAuth wire name such as
 *   `access_token` in place of `accessToken`
 * @example
 * ```ts
 * const tokens = parseTokenSet({ accessToken: 'eyJ…', expiresIn: 3600 }, 'hand off tokens')
 * ```
 */
export function parseTokenSet(input: unknown, action: string): TokenSet {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(msg`Failed to ${action}: expected an object of tokens`);
  }
  const record = input as Record<string, unknown>;
  // Other fields (an id token, a token type) are ignored, but the OAuth wire names are a
  // mistake worth stopping: the tokens would otherwise be silently missing.
  for (const key of Object.keys(record)) {
    const hint = SNAKE_CASE_HINTS[key];
    if (hint) throw new TypeError(msg`Failed to ${action}: unknown field '${key}' (did you mean '${hint}'?)`);
  }
  const accessToken = checkToken(record.accessToken, 'accessToken', action);
  const refreshToken = checkToken(record.refreshToken, 'refreshToken', action);
  if (accessToken === undefined && refreshToken === undefined) {
    throw new TypeError(msg`Failed to ${action}: an accessToken or a refreshToken is required`);
  }
  const tokens: TokenSet = {};
  if (accessToken !== undefined) tokens.accessToken = accessToken;
  if (refreshToken !== undefined) tokens.refreshToken = refreshToken;
  if (record.expiresIn !== undefined) {
    const expiresIn = record.expiresIn;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      throw new TypeError(msg`Failed to ${action}: expiresIn must be a finite number of seconds, zero or more`);
    }
    tokens.expiresIn = expiresIn;
  }
  return tokens;
}
