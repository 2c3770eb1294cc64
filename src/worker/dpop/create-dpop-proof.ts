import { exportJWK, SignJWT, type JWK } from 'jose';

/** The request a proof is for. */
export interface ProofRequest {
  /** The HTTP method, as sent (`GET`, `POST`). */
  method: string;
  /** The request URL; query and fragment are left out of `htu`. */
  url: string | URL;
  /** The access token sent with the request: its hash goes in `ath`. Leave out for the token endpoint. */
  accessToken?: string;
  /** The server's latest `DPoP-Nonce` for this origin, if any. */
  nonce?: string;
}

// The public JWK of each key, exported once: the members a thumbprint covers, nothing else (no `ext`, `key_ops`).
const publicJwks = new WeakMap<CryptoKey, Promise<JWK>>();

function publicJwk(publicKey: CryptoKey): Promise<JWK> {
  let jwk = publicJwks.get(publicKey);
  if (jwk === undefined) {
    jwk = exportJWK(publicKey).then(({ kty, crv, x, y }) => ({ kty, crv, x, y }) as JWK);
    publicJwks.set(publicKey, jwk);
  }
  return jwk;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Creates a DPoP proof JWT (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, `alg: ES256` and the
 * public `jwk`; claims a fresh random `jti`, `htm`, `htu` (scheme, host, port and path: no query, no
 * fragment), `iat`, `ath` when an access token goes along, and `nonce` when the server gave one. The same
 * function makes the proofs for the token endpoint (code exchange, refresh) and for API requests.
 *
 * @param keyPair - from `generateDpopKeyPair`; the private key signs, the public key is embedded
 * @throws {TypeError} when `url` is not an absolute http(s) URL
 * @example
 * ```ts
 * headers.set('authorization', `DPoP ${accessToken}`)
 * headers.set('dpop', await createDpopProof(keyPair, { method: 'GET', url, accessToken, nonce: nonces.get(url) }))
 * ```
 */
export async function createDpopProof(keyPair: CryptoKeyPair, request: ProofRequest): Promise<string> {
  const url = new URL(request.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('Failed to create a DPoP proof: the URL is not http(s)');
  const claims: Record<string, string> = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: request.method,
    htu: `${url.origin}${url.pathname}`,
  };
  if (request.accessToken !== undefined) {
    claims['ath'] = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(request.accessToken))));
  }
  if (request.nonce !== undefined) claims['nonce'] = request.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await publicJwk(keyPair.publicKey) })
    .setIssuedAt()
    .sign(keyPair.privateKey);
}
