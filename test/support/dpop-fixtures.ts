// Real keys and tokens for the bearer-sw/server tests: an issuer signing JWT access tokens, and DPoP client keys
// making proofs with jose (independent of the worker's proof code, so each side is checked against the other).
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { createHash, randomUUID } from 'node:crypto';

export const ISSUER = 'https://idp.example.test';
export const AUDIENCE = 'https://api.example.test';
export const API_URL = 'https://api.example.test/v1/items';

/** An authorization server's signing key and its public JWKS. */
export interface Issuer {
  jwks: JSONWebKeySet;
  /** Signs an access token: `iss`, `aud`, `sub`, `jti`, `exp` 60 s ahead unless `claims` say otherwise. */
  mint(claims?: Record<string, unknown>, header?: { typ?: string }): Promise<string>;
}

export async function createIssuer(kid = 'issuer-key'): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    mint(claims = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', jti: randomUUID(), iat: now, exp: now + 60, ...claims };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload as JWTPayload)
        .setProtectedHeader({ alg: 'ES256', kid, typ: header.typ ?? 'at+jwt' })
        .sign(privateKey);
    },
  };
}

/** A client's DPoP key pair, its public JWK and thumbprint. */
export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
  alg: string;
}

export async function createClientKey(alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256'): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256'), alg };
}

export const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Makes a DPoP proof; `claims` and `header` override or (with `undefined`) remove what a good proof has. */
export async function makeProof(
  key: ClientKey,
  request: { method?: string; url?: string; token?: string },
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: randomUUID(),
    htm: request.method ?? 'GET',
    htu: request.url ?? API_URL,
    iat: Math.floor(Date.now() / 1000),
    ...(request.token !== undefined && { ath: ath(request.token) }),
    ...claims,
  };
  const protectedHeader: Record<string, unknown> = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...header };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
  return new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

/** A request to {@link API_URL} (or `url`) with the given headers. */
export function apiRequest(headers: Record<string, string>, init: { method?: string; url?: string } = {}): Request {
  return new Request(init.url ?? API_URL, { method: init.method ?? 'GET', headers });
}
