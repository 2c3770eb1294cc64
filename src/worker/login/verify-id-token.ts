import { createLocalJWKSet, jwtVerify } from 'jose';
import { msg } from '../../shared/message.js';

/**
 * Checks an ID token's signature against the authorization server's JSON Web Key Set with jose,
 * and again `iss`, `aud`, `exp` and `iat` (oauth4webapi has checked those with `nonce` and `azp`;
 * it leaves signatures of token endpoint responses to the caller).
 */
export interface IdTokenVerifier {
  /** @throws a jose error when the signature or a checked claim is wrong, an `Error` when the key set cannot be fetched */
  verify(idToken: string, issuer: string, jwksUri: string): Promise<void>;
}

/** How long the key set's fetch may take. */
const JWKS_TIMEOUT_MS = 10_000;

/**
 * The key set is fetched for each ID token it checks: an ID token arrives once per login, a worker
 * is stopped between logins anyway (so a cache would rarely survive to the next one), and a fresh
 * set always holds a key the server has just rotated in. jose picks the key (`kid`, `alg`, `use`)
 * from it and validates its shape.
 * @param clientId - the expected audience
 * @param algorithm - the only accepted signing algorithm (the client's registered one)
 * @example
 * ```ts
 * await createIdTokenVerifier('spa', 'RS256').verify(idToken, as.issuer, as.jwks_uri)
 * ```
 */
export function createIdTokenVerifier(clientId: string, algorithm: string): IdTokenVerifier {
  return {
    async verify(idToken, issuer, jwksUri) {
      const response = await fetch(jwksUri, {
        headers: { accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(msg`the key set answered ${response.status}`);
      const keys = createLocalJWKSet(await response.json());
      await jwtVerify(idToken, keys, { issuer, audience: clientId, algorithms: [algorithm], requiredClaims: ['sub', 'iat', 'exp'] });
    },
  };
}
