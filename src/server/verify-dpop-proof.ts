import { base64url, calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, type JWK } from 'jose';

import type { NonceIssuer } from './nonce-issuer.js';
import { normalizeHtu } from './normalize-htu.js';
import { createReplayCache, type ReplayCache } from './replay-cache.js';
import { RequestVerificationError } from './request-verification-error.js';

/** How DPoP proofs (RFC 9449) are checked. DPoP-bound tokens are always checked; these options tune how. */
export interface DpopOptions {
  /** Refuse access tokens that are not DPoP-bound (no Bearer tokens at all). Default `false`. */
  required?: boolean;
  /** Accepted proof algorithms, all asymmetric. Default `ES256`, `ES384`, `ES512`, `PS256`, `PS384`, `PS512`, `RS256`, `EdDSA`, `Ed25519`. */
  algorithms?: string[];
  /** How old a proof's `iat` may be, in seconds. Default 120. */
  maxAgeSeconds?: number;
  /** How far ahead of this server's clock a proof's `iat` may be, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Where seen `jti`s are kept. Default: one in-memory cache of 10,000 entries shared by every call in the process. */
  replay?: ReplayCache;
  /** Require a server nonce in every proof (RFC 9449 §9). Default: no nonce. */
  nonces?: NonceIssuer;
}

/** The default proof algorithms: asymmetric only (RFC 9449 §4.3 step 5), never `none` or a MAC. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'EdDSA', 'Ed25519'];

// Private-key members of EC, RSA, OKP and oct JWKs: a proof's key must be public (RFC 9449 §4.3 step 7).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const sharedReplay = createReplayCache();

/** The request a proof must be for. */
export interface ProofTarget {
  method: string;
  url: string;
  /** The access token presented with the proof. */
  accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key it is bound to. */
  jkt: string;
}

/** What a valid proof established. */
export interface VerifiedProof {
  /** `null`, or a fresher nonce the answer should carry in `DPoP-Nonce`. */
  nonce: string | null;
}

const proofError = (code: 'invalid-proof' | 'proof-mismatch' | 'proof-expired' | 'proof-replayed' | 'ath-mismatch' | 'key-mismatch', reason: string, cause?: unknown) =>
  new RequestVerificationError(code, reason, { scheme: 'DPoP', cause });

async function sha256Base64url(value: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))));
}

/**
 * Checks a DPoP proof JWT for a request carrying a DPoP-bound access token, in the order of RFC 9449 §4.3:
 * `typ`, `alg`, a public embedded `jwk`, the signature with it, `jti`/`htm`/`htu`/`iat` present, `htm` and
 * `htu` (without query and fragment, normalised) those of the request, `iat` in the window, the nonce when
 * the server issues them, `ath` the token's hash (§7), the key the token's `cnf.jkt` (§6), and last the
 * `jti` unseen, so only a proof that passed everything is remembered.
 *
 * @throws {@link RequestVerificationError} `invalid-proof`, `proof-mismatch`, `proof-expired`,
 *   `use-dpop-nonce`, `ath-mismatch`, `key-mismatch` or `proof-replayed`
 */
export async function verifyDpopProof(proof: string, target: ProofTarget, options: DpopOptions = {}): Promise<VerifiedProof> {
  const algorithms = options.algorithms ?? DPOP_ALGORITHMS;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch (error) {
    throw proofError('invalid-proof', 'the DPoP proof is not a JWT', error);
  }
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') throw proofError('invalid-proof', 'the DPoP proof\'s "typ" is not dpop+jwt');
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) throw proofError('invalid-proof', 'the DPoP proof\'s "alg" is not accepted');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw proofError('invalid-proof', 'the DPoP proof has no "jwk"');
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) throw proofError('invalid-proof', 'the DPoP proof\'s "jwk" holds a private or symmetric key');

  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms }));
  } catch (error) {
    const reason = error instanceof errors.JWSSignatureVerificationFailed ? 'the DPoP proof signature does not verify' : 'the DPoP proof is not a valid JWT';
    throw proofError('invalid-proof', reason, error);
  }
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw proofError('invalid-proof', 'the DPoP proof lacks a "jti"');
  if (typeof htm !== 'string' || typeof htu !== 'string') throw proofError('invalid-proof', 'the DPoP proof lacks "htm" or "htu"');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw proofError('invalid-proof', 'the DPoP proof lacks "iat"');

  if (htm !== target.method) throw proofError('proof-mismatch', 'the DPoP proof is for another HTTP method');
  const expected = normalizeHtu(target.url);
  if (expected === null || normalizeHtu(htu) !== expected) throw proofError('proof-mismatch', 'the DPoP proof is for another URL');

  const now = Date.now() / 1000;
  const maxAge = options.maxAgeSeconds ?? 120;
  if (iat < now - maxAge) throw proofError('proof-expired', 'the DPoP proof is too old');
  if (iat > now + (options.clockToleranceSeconds ?? 30)) throw proofError('proof-expired', 'the DPoP proof is issued in the future');

  let fresher: string | null = null;
  if (options.nonces !== undefined) {
    const verdict = typeof nonce === 'string' ? await options.nonces.check(nonce) : 'stale';
    if (verdict === 'stale') {
      const reason = nonce === undefined ? 'the DPoP proof lacks the server nonce' : 'the DPoP proof carries a stale nonce';
      throw new RequestVerificationError('use-dpop-nonce', reason, { scheme: 'DPoP', nonce: await options.nonces.current() });
    }
    if (verdict === 'previous') fresher = await options.nonces.current();
  }

  if (ath !== (await sha256Base64url(target.accessToken))) throw proofError('ath-mismatch', 'the DPoP proof\'s "ath" is not the hash of the access token');
  let thumbprint: string;
  try {
    thumbprint = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  } catch (error) {
    throw proofError('invalid-proof', 'the DPoP proof\'s "jwk" has no thumbprint', error);
  }
  if (thumbprint !== target.jkt) throw proofError('key-mismatch', 'the DPoP proof is signed by another key than the one the access token is bound to');

  // The window a proof can be accepted in ends maxAge after its iat: remember its jti until then.
  const fresh = await (options.replay ?? sharedReplay).use(`${thumbprint}.${jti}`, iat + maxAge + 1);
  if (!fresh) throw proofError('proof-replayed', 'the DPoP proof was used before');
  return { nonce: fresher };
}
