import { msg } from '../../shared/message.js';
import type { DpopKeyPair } from './generate-dpop-key-pair.js';

/** The request a proof is for. */
export interface ProofRequest {
  /** The HTTP method, as sent (`GET`, `POST`). */
  method: string;
  /** The request URL; query and fragment are left out of `htu`. */
  url: string | URL;
  /** The access token sent with the request: its hash goes in `ath`. Leave out for the token endpoint. */
  accessToken?: string;
  /** The server's latest `DPoP-Nonce` for this origin, if any. */
  nonce?: string | undefined;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  // (Short inputs only, as here: a header, claims, a hash or a signature.)
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const encodeJson = (value: object) => base64url(encoder.encode(JSON.stringify(value)));

// The encoded protected header: `typ`, `alg` and the public JWK with only the members its thumbprint covers
// (RFC 7638), none of WebCrypto's `ext` or `key_ops`. From the JWK stored with the pair: a restarted worker's
// first proof exports nothing. A pair stored without it (a session from before it was kept) exports its
// public key for each proof, until the next login makes a new pair.
async function encodedHeader({ publicKey, publicJwk }: DpopKeyPair): Promise<string> {
  const { kty, crv, x, y } = publicJwk ?? (await crypto.subtle.exportKey('jwk', publicKey));
  return encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
}

/**
 * Creates a DPoP proof JWT (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, `alg: ES256` and the
 * public `jwk`; claims a fresh random `jti`, `htm`, `htu` (scheme, host, port and path: no query, no
 * fragment), `iat`, `ath` when an access token goes along, and `nonce` when the server gave one. The same
 * function makes the proofs for the token endpoint (code exchange, refresh) and for API requests.
 *
 * Why not oauth4webapi's `DPoP()` handle: its public `DPoPHandle` only has `calculateThumbprint()`; it signs
 * inside oauth4webapi's own request functions, and for an API only through `protectedResourceRequest`, which
 * makes the fetch itself (method, headers, body; not the page's mode, credentials, cache or integrity) and
 * throws on any `WWW-Authenticate`. So this one function makes every proof, and oauth4webapi's token requests
 * take it as a header: `refreshTokenGrantRequest(as, client, auth, rt, { headers: { dpop: proof } })`
 * (e2e/dpop-binding.spec.ts runs that against oidc-provider).
 *
 * The JWS is signed with WebCrypto directly: ECDSA P-256 with SHA-256 yields `r || s`, which is the ES256
 * signature format (RFC 7518 §3.4). jose's `SignJWT` would add about 5 KB gzip to the worker for the same bytes.
 *
 * @param keyPair - from `generateDpopKeyPair`; the private key signs, the public key (its `publicJwk`; exported
 *   when absent) is embedded
 * @throws {TypeError} when `url` is not an absolute http(s) URL
 * @example
 * ```ts
 * headers.set('authorization', `DPoP ${accessToken}`)
 * headers.set('dpop', await createDpopProof(keyPair, { method: 'GET', url, accessToken, nonce: nonces.get(url) }))
 * ```
 */
export async function createDpopProof(keyPair: DpopKeyPair, request: ProofRequest): Promise<string> {
  const url = new URL(request.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(msg`Failed to create a DPoP proof: the URL is not http(s)`);
  const claims: Record<string, string | number> = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: request.method,
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor(Date.now() / 1000),
  };
  // The token's hash and the header side by side (the digest first: it runs while the header is encoded).
  const [ath, header] = await Promise.all([
    request.accessToken === undefined ? undefined : crypto.subtle.digest('SHA-256', encoder.encode(request.accessToken)),
    encodedHeader(keyPair),
  ]);
  if (ath !== undefined) claims['ath'] = base64url(new Uint8Array(ath));
  if (request.nonce !== undefined) claims['nonce'] = request.nonce;
  const signingInput = `${header}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keyPair.privateKey, encoder.encode(signingInput));
  return `${signingInput}.${base64url(new Uint8Array(signature))}`;
}
