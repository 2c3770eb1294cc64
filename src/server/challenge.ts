import { DPOP_ALGORITHMS } from './verify-dpop-proof.js';
import type { VerifyRequestOptions } from './verify-request.js';
import type { RequestVerificationError } from './request-verification-error.js';

/** The HTTP answer to a refused request: a status and the headers to send. */
export interface Challenge {
  status: number;
  headers: Record<string, string>;
}

// error_description may only hold %x20-21 / %x23-5B / %x5D-7E (RFC 6750 §3).
const description = (message: string) => message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');

/**
 * Builds the answer to a {@link RequestVerificationError}: 401 (400 for a malformed request, 503 when the key
 * set is unreachable) with a `WWW-Authenticate` challenge per scheme the server accepts — `Bearer` unless
 * `dpop.required`, and `DPoP algs="…"` (RFC 9449 §7.1) — the error code on the scheme the request used, a
 * `DPoP-Nonce` header for `use_dpop_nonce`, and `Access-Control-Expose-Headers` so a cross-origin client
 * (the service worker) can read both.
 *
 * @param error - what `verifyRequest` threw
 * @param options - the options given to `verifyRequest` (only `dpop` is read)
 * @example
 * ```ts
 * const { status, headers } = challenge(error, options)
 * response.writeHead(status, headers).end()
 * ```
 */
export function challenge(error: RequestVerificationError, options: Partial<VerifyRequestOptions> = {}): Challenge {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (error.code === 'jwks-unavailable') return { status: error.status, headers };
  const required = options.dpop?.required === true;
  const errorParams = error.error === null ? [] : [`error="${error.error}"`, `error_description="${description(error.message)}"`];
  // The error belongs to the scheme the request used; a bound token sent as Bearer is answered on DPoP.
  const onDpop = required || error.scheme === 'DPoP' || error.code === 'bound-token-as-bearer' || error.code === 'token-not-bound';
  const format = (scheme: string, params: string[]) => (params.length === 0 ? scheme : `${scheme} ${params.join(', ')}`);
  const challenges: string[] = [];
  if (!required) challenges.push(format('Bearer', onDpop ? [] : errorParams));
  challenges.push(format('DPoP', [`algs="${(options.dpop?.algorithms ?? DPOP_ALGORITHMS).join(' ')}"`, ...(onDpop ? errorParams : [])]));
  headers['www-authenticate'] = challenges.join(', ');
  if (error.nonce !== undefined) headers['dpop-nonce'] = error.nonce;
  headers['access-control-expose-headers'] = error.nonce === undefined ? 'WWW-Authenticate' : 'WWW-Authenticate, DPoP-Nonce';
  return { status: error.status, headers };
}

/**
 * The {@link challenge} as a Fetch API `Response` with an empty body, for edge runtimes and frameworks that
 * return `Response`s.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof RequestVerificationError) return errorResponse(error, options) }
 * ```
 */
export function errorResponse(error: RequestVerificationError, options: Partial<VerifyRequestOptions> = {}): Response {
  const { status, headers } = challenge(error, options);
  return new Response(null, { status, headers });
}
