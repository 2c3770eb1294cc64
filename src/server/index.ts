/**
 * `bearer-sw/server`: verify the access tokens the bearer-sw worker sends — Bearer or DPoP-bound
 * (RFC 9449) — in Node and edge runtimes, and answer refusals with the right `WWW-Authenticate`.
 */
export { verifyRequest, type VerifiedRequest, type VerifyRequestOptions } from './verify-request.js';
export { verifyIncomingMessage, toFetchRequest, type IncomingMessageLike, type ToFetchRequestOptions } from './incoming-message.js';
export { challenge, errorResponse, type Challenge } from './challenge.js';
export { RequestVerificationError, VERIFICATION_ERRORS, type AuthScheme, type VerificationErrorCode } from './request-verification-error.js';
export { AUTHORIZATION_HEADER, type TokenHeader } from './read-token.js';
export { ASYMMETRIC_ALGORITHMS, type AccessTokenOptions, type KeySource } from './verify-access-token.js';
export { DPOP_ALGORITHMS, type DpopOptions } from './verify-dpop-proof.js';
export { createReplayCache, type ReplayCache, type ReplayCacheOptions } from './replay-cache.js';
export { createNonceIssuer, type NonceCheck, type NonceIssuer, type NonceIssuerOptions } from './nonce-issuer.js';
export { normalizeHtu } from './normalize-htu.js';
