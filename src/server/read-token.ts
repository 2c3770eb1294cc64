import { RequestVerificationError, type AuthScheme } from './request-verification-error.js';

/**
 * Where the access token travels. `authorization` with a scheme is the standard (`Bearer <token>` or
 * `DPoP <token>`); a named header (`x-api-token`) carries `<scheme> <token>` when `scheme` is `true`,
 * or the bare token when it is `false` (the worker's `scheme: null` rules).
 */
export interface TokenHeader {
  /** Header name, case-insensitive. */
  name: string;
  /** Whether the value starts with an authentication scheme (`Bearer` or `DPoP`). */
  scheme: boolean;
}

/** The standard place: `Authorization: Bearer|DPoP <token>`. */
export const AUTHORIZATION_HEADER: TokenHeader = { name: 'authorization', scheme: true };

/** A token as found in a request. `scheme` is `null` for a bare token in a named header. */
export interface PresentedToken {
  token: string;
  scheme: AuthScheme | null;
}

// token68 (RFC 9110 §11.2), the only syntax the Bearer and DPoP schemes allow for the credentials.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the access token from `headers`; `null` when the header is absent.
 *
 * @throws {@link RequestVerificationError} `malformed-request` for an unknown scheme, a value that is not
 *   one token68 (two headers arrive joined by a comma, and fail here too), or an empty value
 */
export function readToken(headers: Headers, header: TokenHeader): PresentedToken | null {
  const value = headers.get(header.name);
  if (value === null) return null;
  const trimmed = value.trim();
  if (!header.scheme) {
    if (!TOKEN68.test(trimmed)) throw new RequestVerificationError('malformed-request', `the ${header.name} header is not one token`);
    return { token: trimmed, scheme: null };
  }
  const match = /^(\S+) +(\S+)$/.exec(trimmed);
  if (match === null) throw new RequestVerificationError('malformed-request', `the ${header.name} header is not "<scheme> <token>"`);
  const [, rawScheme = '', token = ''] = match;
  // Scheme names are case-insensitive (RFC 9110 §11.1).
  const scheme = rawScheme.toLowerCase() === 'bearer' ? 'Bearer' : rawScheme.toLowerCase() === 'dpop' ? 'DPoP' : null;
  if (scheme === null) throw new RequestVerificationError('malformed-request', `the ${header.name} header uses an unsupported scheme`);
  if (!TOKEN68.test(token)) throw new RequestVerificationError('malformed-request', `the ${header.name} header's credentials are not one token`, { scheme });
  return { token, scheme };
}
