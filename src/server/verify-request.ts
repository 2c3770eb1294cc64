import type { JWTPayload } from 'jose';

import { AUTHORIZATION_HEADER, readToken, type TokenHeader } from './read-token.js';
import { RequestVerificationError, type AuthScheme } from './request-verification-error.js';
import { verifyAccessToken, type AccessTokenOptions } from './verify-access-token.js';
import { verifyDpopProof, type DpopOptions } from './verify-dpop-proof.js';

/** Options of {@link verifyRequest}. */
export interface VerifyRequestOptions extends AccessTokenOptions {
  /** Where the token travels. Default `{ name: 'authorization', scheme: true }`. */
  header?: TokenHeader;
  /**
   * The URL the client addressed, when `request.url` is not it (behind a proxy that rewrites the host or
   * path): DPoP proofs name the URL the client saw. Default `request.url`.
   */
  url?: string;
  /** How DPoP proofs are checked; DPoP-bound tokens are refused without a valid one in any case. */
  dpop?: DpopOptions;
}

/** What {@link verifyRequest} established. */
export interface VerifiedRequest {
  /** The access token's claims. */
  claims: JWTPayload;
  /** The scheme the token came with; `null` for a bare token in a named header. */
  scheme: AuthScheme | null;
  /** The thumbprint of the key the token is bound to (its `cnf.jkt`), `null` for an unbound token. */
  jkt: string | null;
  /** A fresher nonce to send in a `DPoP-Nonce` response header, when the proof used the previous one. */
  nonce: string | null;
}

/**
 * Verifies the access token of a Fetch API `Request` and, for a DPoP-bound token (`cnf.jkt`), its DPoP
 * proof (RFC 9449). A bound token is refused with the Bearer scheme or without a proof; an unbound one with
 * the DPoP scheme, or at all with `dpop.required`. Runs wherever `Request` and WebCrypto do: Node >= 20,
 * Deno, Bun, Cloudflare Workers, Vercel Edge. For Node's `IncomingMessage` see `verifyIncomingMessage`.
 *
 * @param request - the request as received; only its method, URL and headers are read
 * @param options - key set, issuer, audience; where the token travels; DPoP checks
 * @returns the claims, the scheme, the key binding and a nonce to hand out
 * @throws {@link RequestVerificationError} with a `code` for every refusal; `errorResponse` answers it
 * @example
 * ```ts
 * const options = { jwks: new URL('https://idp.example.com/jwks'), issuer: 'https://idp.example.com', audience: 'https://api.example.com' }
 * try {
 *   const { claims } = await verifyRequest(request, options)
 * } catch (error) {
 *   if (error instanceof RequestVerificationError) return errorResponse(error, options)
 *   throw error
 * }
 * ```
 */
export async function verifyRequest(request: Request, options: VerifyRequestOptions): Promise<VerifiedRequest> {
  const presented = readToken(request.headers, options.header ?? AUTHORIZATION_HEADER);
  if (presented === null) throw new RequestVerificationError('missing-token', 'the request carries no access token');
  const { token, scheme } = presented;
  // Two DPoP headers arrive joined by a comma, which no JWT contains (RFC 9449 §4.3 step 1).
  const proof = request.headers.get('dpop');
  if (proof !== null && proof.includes(',')) throw new RequestVerificationError('malformed-request', 'the request carries more than one DPoP proof', { scheme });

  const claims = await verifyAccessToken(token, options, scheme);
  const cnf = claims['cnf'];
  const jkt = typeof cnf === 'object' && cnf !== null && !Array.isArray(cnf) ? (cnf as Record<string, unknown>)['jkt'] : undefined;
  if (cnf !== undefined && typeof jkt !== 'string') {
    throw new RequestVerificationError('invalid-token', 'the access token is bound by a confirmation method this server does not check', { scheme });
  }

  if (typeof jkt !== 'string') {
    if (scheme === 'DPoP') throw new RequestVerificationError('token-not-bound', 'the access token sent with the DPoP scheme is not DPoP-bound', { scheme });
    if (options.dpop?.required === true) throw new RequestVerificationError('token-not-bound', 'this server accepts DPoP-bound access tokens only', { scheme });
    return { claims, scheme, jkt: null, nonce: null };
  }
  if (scheme === 'Bearer') throw new RequestVerificationError('bound-token-as-bearer', 'a DPoP-bound access token was sent with the Bearer scheme', { scheme });
  if (proof === null) throw new RequestVerificationError('missing-proof', 'the DPoP-bound access token came without a DPoP proof', { scheme: 'DPoP' });
  const verified = await verifyDpopProof(proof.trim(), { method: request.method, url: options.url ?? request.url, accessToken: token, jkt }, options.dpop);
  return { claims, scheme, jkt, nonce: verified.nonce };
}
