import type { IncomingMessage } from 'node:http';

import { createRemoteJWKSet } from 'jose';

import {
  challenge,
  RequestVerificationError,
  toFetchRequest,
  verifyRequest,
  type AuthScheme,
  type Challenge,
  type DpopOptions,
  type TokenHeader,
  type VerificationErrorCode,
} from '../src/server/index.js';
import { loopbackUrl } from './loopback.js';

/** What the API concluded about a request's access token. */
export type ApiVerification =
  | { ok: true; sub: string; jti: string; exp: number; scheme: AuthScheme | null; jkt: string | null }
  | { ok: false; code: VerificationErrorCode; error: string; challenge: Challenge };

/** Verifies requests to the API with `bearer-sw/server`; see {@link createApiVerifier}. */
export interface ApiVerifier {
  /** Verifies a Fetch API request's token (and DPoP proof); `header` says where the token is (default `Authorization`). */
  verify(request: Request, header?: TokenHeader): Promise<ApiVerification>;
  /** The same for a request as Node's http server received it. */
  verifyIncoming(message: IncomingMessage, header?: TokenHeader): Promise<ApiVerification>;
}

/** Options of {@link createApiVerifier}. */
export interface ApiVerifierOptions {
  /** DPoP checks (RFC 9449); DPoP-bound tokens are checked in any case. */
  dpop?: DpopOptions;
}

/**
 * Creates the API's check of access tokens: `verifyRequest` from `bearer-sw/server` with an RFC 9068 JWT
 * (`typ: at+jwt`) signed with a key from the provider's JWKS (fetched over `127.0.0.1`, one cache per verifier,
 * so a provider restarted on a reused port is never checked against its predecessor's keys), the provider's
 * issuer, `audience`, an unexpired `exp`, and for DPoP-bound tokens their proof.
 */
export function createApiVerifier(server: { jwksUri: string; issuer: string }, audience: string, options: ApiVerifierOptions = {}): ApiVerifier {
  const jwks = createRemoteJWKSet(new URL(loopbackUrl(server.jwksUri)));
  const base = { jwks, issuer: server.issuer, audience, typ: 'at+jwt', ...(options.dpop !== undefined && { dpop: options.dpop }) };
  async function verify(request: Request, header?: TokenHeader): Promise<ApiVerification> {
    const verifyOptions = header === undefined ? base : { ...base, header };
    const refused = (error: RequestVerificationError): ApiVerification => ({ ok: false, code: error.code, error: error.message, challenge: challenge(error, verifyOptions) });
    try {
      const { claims, scheme, jkt } = await verifyRequest(request, verifyOptions);
      if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
        return refused(new RequestVerificationError('invalid-token', 'the access token lacks sub, jti or exp', { scheme }));
      }
      return { ok: true, sub: claims.sub, jti: claims.jti, exp: claims.exp, scheme, jkt };
    } catch (error) {
      if (error instanceof RequestVerificationError) return refused(error);
      throw error;
    }
  }
  return {
    verify,
    verifyIncoming: (message, header) => verify(toFetchRequest(message), header),
  };
}
