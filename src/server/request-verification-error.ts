/**
 * The coded error of `bearer-sw/server`: why a request's credentials were refused.
 *
 * Messages read `Failed to verify the request: <reason>` and never contain a token or a proof.
 */

/** Every code a {@link RequestVerificationError} can carry, with the HTTP answer it maps to. */
export const VERIFICATION_ERRORS = {
  /** No token in the request: 401 with a bare challenge (RFC 6750 §3.1: no error code). */
  'missing-token': { status: 401, error: null },
  /** The credentials are malformed: two DPoP headers, an unknown scheme, a token that is not token68. */
  'malformed-request': { status: 400, error: 'invalid_request' },
  /** The access token is not a valid JWT from the issuer for this audience (signature, `iss`, `aud`, `typ`, `alg`). */
  'invalid-token': { status: 401, error: 'invalid_token' },
  /** The access token's `exp` has passed (or its `nbf` is ahead). */
  'token-expired': { status: 401, error: 'invalid_token' },
  /** A DPoP-bound token (`cnf.jkt`) came with the Bearer scheme (RFC 9449 §7.2). */
  'bound-token-as-bearer': { status: 401, error: 'invalid_token' },
  /** The DPoP scheme came with a token that is not DPoP-bound, or DPoP is required and a Bearer token came. */
  'token-not-bound': { status: 401, error: 'invalid_token' },
  /** The proof's key is not the key the token is bound to (`cnf.jkt` ≠ JWK thumbprint). */
  'key-mismatch': { status: 401, error: 'invalid_token' },
  /** A DPoP-bound token came without a `DPoP` proof header. */
  'missing-proof': { status: 401, error: 'invalid_dpop_proof' },
  /** The proof is not a valid DPoP proof JWT: `typ`, `alg`, embedded `jwk`, signature, or a missing claim. */
  'invalid-proof': { status: 401, error: 'invalid_dpop_proof' },
  /** The proof was made for another request: `htm` or `htu` differ. */
  'proof-mismatch': { status: 401, error: 'invalid_dpop_proof' },
  /** The proof's `iat` is outside the accepted window (too old, or ahead of the clock). */
  'proof-expired': { status: 401, error: 'invalid_dpop_proof' },
  /** The proof's `jti` was seen before within the window. */
  'proof-replayed': { status: 401, error: 'invalid_dpop_proof' },
  /** The proof's `ath` is not the hash of the presented access token. */
  'ath-mismatch': { status: 401, error: 'invalid_dpop_proof' },
  /** The server requires a nonce and the proof has none, or a stale one: retry with the `DPoP-Nonce` sent along. */
  'use-dpop-nonce': { status: 401, error: 'use_dpop_nonce' },
  /** The key set could not be fetched: the server's problem, not the client's. */
  'jwks-unavailable': { status: 503, error: null },
} as const;

/** A code a {@link RequestVerificationError} can carry. */
export type VerificationErrorCode = keyof typeof VERIFICATION_ERRORS;

/** The authentication scheme a refused request used, or `null` when it carried no token. */
export type AuthScheme = 'Bearer' | 'DPoP';

/**
 * Thrown by `verifyRequest` when it refuses a request's credentials. `code` is for programs;
 * `status` and `error` are the HTTP status and OAuth error code the answer should carry (see `challenge`).
 *
 * @example
 * ```ts
 * try { await verifyRequest(request, options) } catch (e) {
 *   if (e instanceof RequestVerificationError) return errorResponse(e, options)
 *   throw e
 * }
 * ```
 */
export class RequestVerificationError extends Error {
  /** A stable identifier a program can switch on. */
  readonly code: VerificationErrorCode;
  /** The HTTP status the answer should have: 401, 400, or 503 for a key set that cannot be fetched. */
  readonly status: number;
  /** The OAuth error code for `WWW-Authenticate`, or `null` when none belongs there (RFC 6750 §3.1). */
  readonly error: string | null;
  /** The scheme the request used, so the challenge names the same one; `null` when there was no token. */
  readonly scheme: AuthScheme | null;
  /** For `use-dpop-nonce`: the nonce to send in the `DPoP-Nonce` header. */
  readonly nonce: string | undefined;

  /**
   * @param code - the stable error code
   * @param reason - completes `Failed to verify the request: <reason>`; never a token value
   * @param options - the scheme the request used, a nonce to hand out, and the `cause`
   */
  constructor(code: VerificationErrorCode, reason: string, options: { scheme?: AuthScheme | null; nonce?: string; cause?: unknown } = {}) {
    super(`Failed to verify the request: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RequestVerificationError';
    this.code = code;
    this.status = VERIFICATION_ERRORS[code].status;
    this.error = VERIFICATION_ERRORS[code].error;
    this.scheme = options.scheme ?? null;
    this.nonce = options.nonce;
  }
}
