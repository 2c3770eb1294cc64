import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';

import { RequestVerificationError, type AuthScheme } from './request-verification-error.js';

/**
 * Where the access token's signing keys come from: a JWKS URL (fetched and cached by jose's
 * `createRemoteJWKSet`, one cache per URL for the whole process: refetched after 10 minutes, or when a token
 * names an unknown `kid`, at most every 30 s), a key set object, or a jose key resolver such as your own
 * `createRemoteJWKSet(url, { cacheMaxAge })`.
 */
export type KeySource = URL | JSONWebKeySet | JWTVerifyGetKey;

/** What the access token must satisfy. */
export interface AccessTokenOptions {
  jwks: KeySource;
  /** The `iss` the token must carry (one of them). */
  issuer: string | string[];
  /** The `aud` the token must contain (one of them): this API's identifier. */
  audience: string | string[];
  /** The `typ` header the token must have, e.g. `at+jwt` (RFC 9068). Default: not checked. */
  typ?: string;
  /** Accepted signature algorithms. Default: the asymmetric JWS algorithms. */
  algorithms?: string[];
  /** Leeway for `exp` and `nbf`, seconds, for a server whose clock may lag the issuer's. Default 0 (as jose). */
  clockToleranceSeconds?: number;
}

/** The asymmetric JWS algorithms: a public key set can never verify a MAC, and `none` is never accepted. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519'];

/** The key set could not be obtained: nothing to do with the token. */
class KeySetUnavailable extends Error {
  constructor(cause: unknown) {
    super('Failed to fetch the key set', { cause });
    this.name = 'KeySetUnavailable';
  }
}

// What a key resolver throws because of the token (no key for its kid or alg, a malformed header); anything
// else (a fetch that fails or times out, a key set that does not parse) is the key set's fault.
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSEAlgNotAllowed, errors.JOSENotSupported, errors.JWSInvalid, errors.JWTInvalid];

function classified(resolver: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await resolver(header, token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new KeySetUnavailable(error);
    }
  };
}

const remoteSets = new Map<string, JWTVerifyGetKey>();
const resolvers = new WeakMap<object, JWTVerifyGetKey>();

function resolverFor(source: KeySource): JWTVerifyGetKey {
  if (source instanceof URL) {
    let remote = remoteSets.get(source.href);
    if (remote === undefined) {
      remote = classified(createRemoteJWKSet(source));
      remoteSets.set(source.href, remote);
    }
    return remote;
  }
  let resolver = resolvers.get(source);
  if (resolver === undefined) {
    resolver = classified(typeof source === 'function' ? source : createLocalJWKSet(source));
    resolvers.set(source, resolver);
  }
  return resolver;
}

function refusal(error: unknown, scheme: AuthScheme | null): RequestVerificationError {
  const options = { scheme, cause: error };
  if (error instanceof KeySetUnavailable) return new RequestVerificationError('jwks-unavailable', 'the key set could not be fetched', options);
  if (error instanceof errors.JWTExpired) return new RequestVerificationError('token-expired', 'the access token has expired', options);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new RequestVerificationError('token-expired', 'the access token is not valid yet', options);
    return new RequestVerificationError('invalid-token', `the access token's "${error.claim}" is not accepted`, options);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new RequestVerificationError('invalid-token', 'the access token signature does not verify', options);
  if (error instanceof errors.JWKSNoMatchingKey) return new RequestVerificationError('invalid-token', 'no key of the key set matches the access token', options);
  if (error instanceof errors.JOSEAlgNotAllowed) return new RequestVerificationError('invalid-token', "the access token's algorithm is not accepted", options);
  return new RequestVerificationError('invalid-token', 'the access token is not a valid JWT', options);
}

/**
 * Verifies a JWT access token: signature against the key set, `iss`, `aud`, `exp`/`nbf`, and `typ` when asked.
 *
 * @returns the token's claims
 * @throws {@link RequestVerificationError} `invalid-token`, `token-expired` or `jwks-unavailable`
 */
export async function verifyAccessToken(token: string, options: AccessTokenOptions, scheme: AuthScheme | null): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, resolverFor(options.jwks), {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: options.algorithms ?? ASYMMETRIC_ALGORITHMS,
      clockTolerance: options.clockToleranceSeconds ?? 0,
      requiredClaims: ['exp'],
      ...(options.typ !== undefined && { typ: options.typ }),
    });
    return payload;
  } catch (error) {
    throw refusal(error, scheme);
  }
}
