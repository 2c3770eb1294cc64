import { createRemoteJWKSet, jwtVerify } from 'jose';

import { loopbackUrl } from './loopback.js';

/** What the API concluded about an access token. */
export type ApiVerification = { ok: true; sub: string; jti: string; exp: number } | { ok: false; error: string };

/** Verifies the provider's JWT access tokens as the API would; see {@link createApiVerifier}. */
export interface ApiVerifier {
  verify(token: string): Promise<ApiVerification>;
}

/**
 * Creates an access token check for the API `audience`: an RFC 9068 JWT (`typ: at+jwt`) signed with a key from the
 * provider's JWKS (fetched over `127.0.0.1`), with the provider's issuer, that audience, and an unexpired `exp`.
 */
export function createApiVerifier(server: { jwksUri: string; issuer: string }, audience: string): ApiVerifier {
  const jwks = createRemoteJWKSet(new URL(loopbackUrl(server.jwksUri)));
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer: server.issuer, audience, typ: 'at+jwt' });
        if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
          return { ok: false, error: 'access token lacks sub, jti or exp' };
        }
        return { ok: true, sub: payload.sub, jti: payload.jti, exp: payload.exp };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
