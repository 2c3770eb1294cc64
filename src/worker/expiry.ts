import { decodeJwt } from 'jose';
import type { TokenSet } from '../shared/token-set.js';

/**
 * When an access token stops being valid, in epoch milliseconds of this machine's clock.
 *
 * `expiresIn` counts from `receivedAt` (so a skewed clock does not matter); without it, a JWT's
 * `exp` claim is used; otherwise the expiry is unknown and only a 401 will tell.
 *
 * @param tokens - validated tokens
 * @param receivedAt - when the worker received them (`Date.now()`)
 * @returns the expiry time, or `undefined` when it cannot be known
 * @example
 * ```ts
 * expiresAtFor({ accessToken: 'opaque', expiresIn: 60 }, Date.now()) // now + 60 000
 * ```
 */
export function expiresAtFor(tokens: TokenSet, receivedAt: number): number | undefined {
  if (tokens.expiresIn !== undefined) return receivedAt + tokens.expiresIn * 1000;
  if (tokens.accessToken === undefined) return undefined;
  try {
    const { exp } = decodeJwt(tokens.accessToken);
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined; // not a JWT: an opaque token whose lifetime only the server knows
  }
}
