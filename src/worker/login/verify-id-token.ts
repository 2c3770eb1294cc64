import { compactVerify, createLocalJWKSet } from 'jose';
import { msg } from '../../shared/message.js';

/**
 * Checks an ID token's signature against the authorization server's JSON Web Key Set with jose,
 * with the client's one algorithm. Its claims are not read here: oauth4webapi's
 * `processAuthorizationCodeResponse` has checked them (`iss`, `aud`, `azp`, `nonce`, `exp`, `iat`,
 * `sub`) on this same compact JWS, and refuses any `crit` header (so the payload jose verifies is
 * the base64url one oauth4webapi decoded); it leaves signatures of token endpoint responses to the
 * caller.
 */
export interface IdTokenVerifier {
  /** @throws a jose error when the signature or the algorithm is wrong, an `Error` when the key set cannot be fetched */
  verify(idToken: string, jwksUri: string): Promise<void>;
}

/** How long the key set's fetch may take. */
const JWKS_TIMEOUT_MS = 10_000;

/**
 * The key set is fetched for each ID token it checks: an ID token arrives once per login, a worker
 * is stopped between logins anyway (so a cache would rarely survive to the next one), and a fresh
 * set always holds a key the server has just rotated in. jose picks the key (`kid`, `alg`, `use`)
 * from it and validates its shape. jose's JWS verification, not its JWT one: the claims were
 * checked before (see {@link IdTokenVerifier}), and its claim set validation would only repeat them.
 * @param algorithm - the only accepted signing algorithm (the client's registered one)
 * @example
 * ```ts
 * await createIdTokenVerifier('RS256').verify(idToken, as.jwks_uri)
 * ```
 */
export function createIdTokenVerifier(algorithm: string): IdTokenVerifier {
  return {
    async verify(idToken, jwksUri) {
      const response = await fetch(jwksUri, {
        headers: { accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(msg`the key set answered ${response.status}`);
      await compactVerify(idToken, createLocalJWKSet(await response.json()), { algorithms: [algorithm] });
    },
  };
}
