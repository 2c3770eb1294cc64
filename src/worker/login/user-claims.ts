import type { UserClaims } from '../../shared/protocol.js';

/** Claims that serve the protocol, not the app: they stay in the worker. */
const PROTOCOL_CLAIMS = new Set(['nonce', 'at_hash', 'c_hash', 's_hash', 'sid', 'cnf']);

/**
 * The claims pages may see as `session.user`: the validated ID token's, minus {@link PROTOCOL_CLAIMS}.
 *
 * @example
 * ```ts
 * userClaims({ sub: 'alice', nonce: 'n', email: 'a@example.com' }) // { sub: 'alice', email: 'a@example.com' }
 * ```
 */
export function userClaims(claims: { sub: string } & Record<string, unknown>): UserClaims {
  const user: UserClaims = { sub: claims.sub };
  for (const [key, value] of Object.entries(claims)) if (!PROTOCOL_CLAIMS.has(key)) user[key] = value;
  return user;
}
