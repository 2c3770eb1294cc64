import { randomUUID } from 'node:crypto';

import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';

/** What an API concluded about a vendor JWT (the shape the recording API expects). */
export type VendorVerification = { ok: true; sub: string; jti: string; exp: number; claims: JWTPayload } | { ok: false; error: string };

/** Issues ES256 JWTs for one vendor test server and verifies them as that vendor's API would. */
export interface VendorJwtIssuer {
  /** The public keys, as served at the vendor's JWKS endpoint. */
  readonly jwks: JSONWebKeySet;
  /** Signs `claims` with `iss`, `iat`, `exp` (now + `ttlSeconds`) and a fresh `jti`. */
  sign(claims: JWTPayload, ttlSeconds: number): Promise<string>;
  /** Verifies signature, issuer, `exp` and, when given, the audience, with jose. */
  verify(token: string, audience?: string): Promise<VendorVerification>;
}

/**
 * Creates a signing key for a vendor test server (`iss` = `issuer`).
 *
 * @example
 * ```ts
 * const jwt = await createVendorJwtIssuer('http://localhost:1234/auth/v1')
 * ```
 */
export async function createVendorJwtIssuer(issuer: string): Promise<VendorJwtIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }] };
  const keySet = createLocalJWKSet(jwks);
  return {
    jwks,
    sign: (claims, ttlSeconds) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey),
    async verify(token, audience) {
      try {
        const { payload } = await jwtVerify(token, keySet, audience === undefined ? { issuer } : { issuer, audience });
        if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
          return { ok: false, error: 'token lacks sub, jti or exp' };
        }
        return { ok: true, sub: payload.sub, jti: payload.jti, exp: payload.exp, claims: payload };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
