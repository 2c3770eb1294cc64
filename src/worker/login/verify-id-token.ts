import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * Checks an ID token's signature against the authorization server's JSON Web Key Set with jose,
 * and again `iss`, `aud`, `exp` and `iat` (oauth4webapi has checked those with `nonce` and `azp`;
 * it leaves signatures of token endpoint responses to the caller).
 */
export interface IdTokenVerifier {
  /** @throws a jose error when the signature or a checked claim is wrong */
  verify(idToken: string, issuer: string, jwksUri: string): Promise<void>;
}

/**
 * @param clientId - the expected audience
 * @param algorithm - the only accepted signing algorithm (the client's registered one)
 * @example
 * ```ts
 * await createIdTokenVerifier('spa', 'RS256').verify(idToken, as.issuer, as.jwks_uri)
 * ```
 */
export function createIdTokenVerifier(clientId: string, algorithm: string): IdTokenVerifier {
  let keys: { uri: string; set: JWTVerifyGetKey } | null = null;
  return {
    async verify(idToken, issuer, jwksUri) {
      // One key set per URI: jose caches the keys and refetches (with a cooldown) on an unknown `kid`.
      if (keys?.uri !== jwksUri) keys = { uri: jwksUri, set: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 10_000 }) };
      await jwtVerify(idToken, keys.set, { issuer, audience: clientId, algorithms: [algorithm], requiredClaims: ['sub', 'iat', 'exp'] });
    },
  };
}
