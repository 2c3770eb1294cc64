// bearer-sw/server: DPoP-bound tokens (RFC 9449) and every way their proof can be refused.
import { beforeAll, describe, expect, it } from 'vitest';

import {
  challenge,
  createNonceIssuer,
  createReplayCache,
  RequestVerificationError,
  verifyRequest,
  type VerificationErrorCode,
  type VerifyRequestOptions,
} from '../src/server/index.js';
import { API_URL, apiRequest, AUDIENCE, createClientKey, createIssuer, ISSUER, makeProof, type ClientKey, type Issuer } from './support/dpop-fixtures.js';

let issuer: Issuer;
let key: ClientKey;
let options: VerifyRequestOptions;

beforeAll(async () => {
  issuer = await createIssuer();
  key = await createClientKey();
  options = { jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE };
});

const boundToken = (claims: Record<string, unknown> = {}) => issuer.mint({ cnf: { jkt: key.jkt }, ...claims });

async function refused(request: Request, code: VerificationErrorCode, opts: VerifyRequestOptions = options): Promise<RequestVerificationError> {
  const error = await verifyRequest(request, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'verifyRequest should have refused').toBeInstanceOf(RequestVerificationError);
  const refusal = error as RequestVerificationError;
  expect(refusal.code, refusal.message).toBe(code);
  for (const value of request.headers.values()) for (const part of value.split(' ')) if (part.length > 20) expect(refusal.message).not.toContain(part);
  return refusal;
}

/** A DPoP request for `token` to API_URL, its proof made with `overrides`. */
async function dpopRequest(token: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, proofKey = key): Promise<Request> {
  return apiRequest({ authorization: `DPoP ${token}`, dpop: await makeProof(proofKey, { token }, claims, header) });
}

describe('verifyRequest: DPoP-bound tokens accepted', () => {
  it('accepts Authorization: DPoP with a valid proof and returns the key binding', async () => {
    const token = await boundToken();
    const result = await verifyRequest(await dpopRequest(token), options);
    expect(result).toMatchObject({ scheme: 'DPoP', jkt: key.jkt, nonce: null, claims: { sub: 'alice', cnf: { jkt: key.jkt } } });
  });

  it('accepts a named header with the DPoP scheme, and a bare named header, with the proof', async () => {
    const token = await boundToken();
    const named = apiRequest({ 'x-api-token': `DPoP ${token}`, dpop: await makeProof(key, { token }) });
    await expect(verifyRequest(named, { ...options, header: { name: 'x-api-token', scheme: true } })).resolves.toMatchObject({ scheme: 'DPoP', jkt: key.jkt });
    const bare = apiRequest({ 'x-api-token': token, dpop: await makeProof(key, { token }) });
    await expect(verifyRequest(bare, { ...options, header: { name: 'x-api-token', scheme: false } })).resolves.toMatchObject({ scheme: null, jkt: key.jkt });
  });

  it('compares htu without query and fragment, normalised', async () => {
    const token = await boundToken();
    const request = new Request(`${API_URL}?page=2&sort=asc`, { headers: { authorization: `DPoP ${token}`, dpop: await makeProof(key, { token, url: 'HTTPS://API.example.test:443/v1/./x/../%69tems#frag' }) } });
    await expect(verifyRequest(request, options)).resolves.toMatchObject({ scheme: 'DPoP' });
  });

  it('accepts RS256 and EdDSA proof keys too', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const other = await createClientKey(alg);
      const token = await issuer.mint({ cnf: { jkt: other.jkt } });
      await expect(verifyRequest(await dpopRequest(token, {}, {}, other), options)).resolves.toMatchObject({ jkt: other.jkt });
    }
  });

  it('checks the proof against options.url when the server sees another URL than the client', async () => {
    const token = await boundToken();
    const proof = await makeProof(key, { token, url: 'https://public.example.test/api/v1/items' });
    const internal = new Request('http://10.0.0.5:8080/v1/items', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    await expect(verifyRequest(internal, { ...options, url: 'https://public.example.test/api/v1/items' })).resolves.toMatchObject({ scheme: 'DPoP' });
  });
});

describe('verifyRequest: DPoP refusals', () => {
  it('refuses a bound token without a proof: missing-proof', async () => {
    const token = await boundToken();
    const error = await refused(apiRequest({ authorization: `DPoP ${token}` }), 'missing-proof');
    expect(challenge(error, options).headers['www-authenticate']).toBe(
      'Bearer, DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519", error="invalid_dpop_proof", error_description="Failed to verify the request: the DPoP-bound access token came without a DPoP proof"',
    );
    await refused(apiRequest({ 'x-api-token': token }), 'missing-proof', { ...options, header: { name: 'x-api-token', scheme: false } });
  });

  it('refuses a bound token sent as Bearer, even with a valid proof: bound-token-as-bearer, answered on DPoP', async () => {
    const token = await boundToken();
    const error = await refused(apiRequest({ authorization: `Bearer ${token}`, dpop: await makeProof(key, { token }) }), 'bound-token-as-bearer');
    expect(error.status).toBe(401);
    expect(challenge(error, options).headers['www-authenticate']).toMatch(/^Bearer, DPoP algs="[^"]+", error="invalid_token"/);
  });

  it('refuses an unbound token sent with the DPoP scheme: token-not-bound', async () => {
    const token = await issuer.mint();
    await refused(await dpopRequest(token), 'token-not-bound');
  });

  it('with dpop.required, refuses Bearer tokens and challenges with DPoP only', async () => {
    const token = await issuer.mint();
    const required = { ...options, dpop: { required: true, algorithms: ['ES256'] } };
    const error = await refused(apiRequest({ authorization: `Bearer ${token}` }), 'token-not-bound', required);
    expect(challenge(error, required).headers['www-authenticate']).toBe(
      'DPoP algs="ES256", error="invalid_token", error_description="Failed to verify the request: this server accepts DPoP-bound access tokens only"',
    );
    const missing = await refused(apiRequest({}), 'missing-token', required);
    expect(challenge(missing, required).headers['www-authenticate']).toBe('DPoP algs="ES256"');
  });

  it('refuses a token bound by a confirmation method it cannot check (mTLS x5t#S256)', async () => {
    const token = await issuer.mint({ cnf: { 'x5t#S256': 'abc' } });
    await refused(await dpopRequest(token), 'invalid-token');
  });

  it('refuses a proof for another URL: proof-mismatch', async () => {
    const token = await boundToken();
    await refused(await dpopRequest(token, { htu: 'https://api.example.test/v1/other' }), 'proof-mismatch');
    await refused(await dpopRequest(token, { htu: 'https://evil.example.test/v1/items' }), 'proof-mismatch');
    await refused(await dpopRequest(token, { htu: 'http://api.example.test/v1/items' }), 'proof-mismatch');
    await refused(await dpopRequest(token, { htu: 'not a url' }), 'proof-mismatch');
  });

  it('refuses a proof for another method: proof-mismatch', async () => {
    const token = await boundToken();
    await refused(await dpopRequest(token, { htm: 'POST' }), 'proof-mismatch');
    await refused(await dpopRequest(token, { htm: 'get' }), 'proof-mismatch');
  });

  it('refuses a replayed proof: proof-replayed', async () => {
    const token = await boundToken();
    const request = await dpopRequest(token);
    await expect(verifyRequest(request, options)).resolves.toMatchObject({ scheme: 'DPoP' });
    await refused(new Request(request), 'proof-replayed');
  });

  it('remembers jti in the replay cache it is given, one per key', async () => {
    const replay = createReplayCache({ maxEntries: 10 });
    const withCache = { ...options, dpop: { replay } };
    const token = await boundToken();
    const proof = await makeProof(key, { token }, { jti: 'fixed-jti' });
    await verifyRequest(apiRequest({ authorization: `DPoP ${token}`, dpop: proof }), withCache);
    await refused(apiRequest({ authorization: `DPoP ${token}`, dpop: proof }), 'proof-replayed', withCache);
    // The same jti from another key is another proof.
    const other = await createClientKey();
    const otherToken = await issuer.mint({ cnf: { jkt: other.jkt } });
    await expect(verifyRequest(apiRequest({ authorization: `DPoP ${otherToken}`, dpop: await makeProof(other, { token: otherToken }, { jti: 'fixed-jti' }) }), withCache)).resolves.toBeTruthy();
  });

  it('refuses a proof whose ath is not the hash of the token: ath-mismatch', async () => {
    const token = await boundToken();
    const otherToken = await boundToken();
    await refused(apiRequest({ authorization: `DPoP ${token}`, dpop: await makeProof(key, { token: otherToken }) }), 'ath-mismatch');
    await refused(await dpopRequest(token, { ath: undefined }), 'ath-mismatch');
  });

  it('refuses a proof signed by another key than the token is bound to: key-mismatch, invalid_token', async () => {
    const token = await boundToken();
    const thief = await createClientKey();
    const error = await refused(await dpopRequest(token, {}, {}, thief), 'key-mismatch');
    expect(error.error).toBe('invalid_token');
  });

  it('refuses a stale or future iat: proof-expired', async () => {
    const token = await boundToken();
    const now = Math.floor(Date.now() / 1000);
    await refused(await dpopRequest(token, { iat: now - 121 }), 'proof-expired');
    await refused(await dpopRequest(token, { iat: now + 60 }), 'proof-expired');
    await expect(verifyRequest(await dpopRequest(token, { iat: now - 100 }), options)).resolves.toBeTruthy();
    await refused(await dpopRequest(token, { iat: now - 100 }), 'proof-expired', { ...options, dpop: { maxAgeSeconds: 60 } });
    await refused(await dpopRequest(token, { iat: now + 20 }), 'proof-expired', { ...options, dpop: { clockToleranceSeconds: 5 } });
  });

  it('refuses a malformed proof: invalid-proof', async () => {
    const token = await boundToken();
    await refused(apiRequest({ authorization: `DPoP ${token}`, dpop: 'not-a-jwt' }), 'invalid-proof');
    await refused(await dpopRequest(token, {}, { typ: 'JWT' }), 'invalid-proof');
    await refused(await dpopRequest(token, {}, { typ: undefined }), 'invalid-proof');
    await refused(await dpopRequest(token, {}, { jwk: undefined }), 'invalid-proof');
    await refused(await dpopRequest(token, { jti: undefined }), 'invalid-proof');
    await refused(await dpopRequest(token, { htu: undefined }), 'invalid-proof');
    await refused(await dpopRequest(token, { iat: undefined }), 'invalid-proof');
  });

  it('refuses a proof whose signature does not verify with the embedded key: invalid-proof', async () => {
    const token = await boundToken();
    const thief = await createClientKey();
    // Signed by the thief's key, claiming the victim's public key.
    await refused(await dpopRequest(token, {}, { jwk: key.publicJwk }, thief), 'invalid-proof');
  });

  it('refuses a proof with a private key embedded, or an algorithm outside the allowlist', async () => {
    const token = await boundToken();
    const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(pair.privateKey);
    const leaked = await refused(await dpopRequest(token, {}, { jwk: privateJwk }, { ...key, privateKey: pair.privateKey }), 'invalid-proof');
    expect(leaked.message).toContain('private');
    await refused(await dpopRequest(token, {}, {}), 'invalid-proof', { ...options, dpop: { algorithms: ['EdDSA'] } });
    // A MAC is never a proof, whatever key the header names.
    const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
    const hs = await new SignJWT({ jti: 'x', htm: 'GET', htu: API_URL, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk } as never)
      .sign(secret);
    await refused(apiRequest({ authorization: `DPoP ${token}`, dpop: hs }), 'invalid-proof');
  });

  it('refuses two DPoP headers: malformed-request, 400', async () => {
    const token = await boundToken();
    const headers = new Headers({ authorization: `DPoP ${token}` });
    headers.append('dpop', await makeProof(key, { token }));
    headers.append('dpop', await makeProof(key, { token }));
    const error = await refused(new Request(API_URL, { headers }), 'malformed-request');
    expect(challenge(error, options).status).toBe(400);
  });
});

describe('verifyRequest: server nonces', () => {
  it('asks for a nonce with use_dpop_nonce and a DPoP-Nonce header, then accepts the proof that carries it', async () => {
    const nonces = createNonceIssuer();
    const withNonces = { ...options, dpop: { nonces } };
    const token = await boundToken();
    const error = await refused(await dpopRequest(token), 'use-dpop-nonce', withNonces);
    const answer = challenge(error, withNonces);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer, DPoP algs="[^"]+", error="use_dpop_nonce", error_description="[^"]+"$/);
    const nonce = answer.headers['dpop-nonce'];
    expect(nonce).toBe(await nonces.current());
    expect(answer.headers['access-control-expose-headers']).toBe('WWW-Authenticate, DPoP-Nonce');
    await expect(verifyRequest(await dpopRequest(token, { nonce }), withNonces)).resolves.toMatchObject({ nonce: null, jkt: key.jkt });
  });

  it('refuses a stale or forged nonce, accepts the previous one and hands out the current one', async () => {
    let clock = 1_000_000;
    const nonces = createNonceIssuer({ lifetimeSeconds: 60, now: () => clock });
    const withNonces = { ...options, dpop: { nonces } };
    const token = await boundToken();
    const first = await nonces.current();
    clock += 60;
    const second = await nonces.current();
    expect(second).not.toBe(first);
    await expect(verifyRequest(await dpopRequest(token, { nonce: first }), withNonces)).resolves.toMatchObject({ nonce: second });
    clock += 60;
    const stale = await refused(await dpopRequest(token, { nonce: first }), 'use-dpop-nonce', withNonces);
    expect(stale.nonce).toBe(await nonces.current());
    const forged = `${first.split('.')[0]}.${'A'.repeat(43)}`;
    await refused(await dpopRequest(token, { nonce: forged }), 'use-dpop-nonce', withNonces);
    // Another server's nonce (another secret) is not ours.
    const elsewhere = createNonceIssuer({ lifetimeSeconds: 60, now: () => clock });
    await refused(await dpopRequest(token, { nonce: await elsewhere.current() }), 'use-dpop-nonce', withNonces);
  });

  it('shares nonces between instances with the same secret', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const a = createNonceIssuer({ secret });
    const b = createNonceIssuer({ secret });
    expect(await b.check(await a.current())).toBe('current');
    expect(() => createNonceIssuer({ secret: new Uint8Array(16) })).toThrow(TypeError);
  });
});
