// The worker's DPoP primitives, run in Node's WebCrypto, checked against bearer-sw/server (a round trip).
import 'fake-indexeddb/auto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { createNonceIssuer, errorResponse, RequestVerificationError, verifyRequest, type VerifyRequestOptions } from '../src/server/index.js';
import { createDpopProof, DpopNonceMemory, generateDpopKeyPair, isDpopNonceChallenge } from '../src/worker/dpop/index.js';
import { AUDIENCE, createIssuer, ISSUER, type Issuer } from './support/dpop-fixtures.js';

let issuer: Issuer;
let options: VerifyRequestOptions;

beforeAll(async () => {
  issuer = await createIssuer();
  options = { jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE };
});

async function thumbprint(keyPair: CryptoKeyPair): Promise<string> {
  const { calculateJwkThumbprint, exportJWK } = await import('jose');
  return calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256');
}

/** A token bound to `keyPair` and a request carrying it with a proof made by the worker's code. */
async function boundRequest(keyPair: CryptoKeyPair, method: string, url: string, nonce?: string): Promise<{ token: string; request: Request }> {
  const token = await issuer.mint({ cnf: { jkt: await thumbprint(keyPair) } });
  const proof = await createDpopProof(keyPair, { method, url, accessToken: token, ...(nonce !== undefined && { nonce }) });
  return { token, request: new Request(url, { method, headers: { authorization: `DPoP ${token}`, dpop: proof } }) };
}

describe('generateDpopKeyPair', () => {
  it('makes an ES256 pair whose private key cannot be exported in any format', async () => {
    const { privateKey, publicKey } = await generateDpopKeyPair();
    expect(privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(privateKey.extractable).toBe(false);
    expect(publicKey.extractable).toBe(true);
    for (const format of ['pkcs8', 'jwk'] as const) await expect(crypto.subtle.exportKey(format, privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('jwk', publicKey)).resolves.toMatchObject({ kty: 'EC', crv: 'P-256' });
  });

  it("keeps the public key's JWK with the pair: the members of its thumbprint, nothing private", async () => {
    const keyPair = await generateDpopKeyPair();
    const { kty, crv, x, y, d } = await crypto.subtle.exportKey('jwk', keyPair.publicKey);
    expect(d).toBeUndefined();
    expect(keyPair.publicJwk).toMatchObject({ kty, crv, x, y });
    expect(keyPair.publicJwk).not.toHaveProperty('d');
    const { calculateJwkThumbprint } = await import('jose');
    expect(await calculateJwkThumbprint(keyPair.publicJwk, 'sha256')).toBe(await thumbprint(keyPair));
  });

  it('makes a new pair each time', async () => {
    const [a, b] = await Promise.all([generateDpopKeyPair(), generateDpopKeyPair()]);
    expect(await thumbprint(a)).not.toBe(await thumbprint(b));
    expect(a.publicJwk).not.toEqual(b.publicJwk);
  });

  it('survives IndexedDB as CryptoKeys: still signing, still not exportable', async () => {
    const keyPair = await generateDpopKeyPair();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('dpop-test', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('session');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const done = (request: IDBRequest) => new Promise<unknown>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    await done(db.transaction('session', 'readwrite').objectStore('session').put({ keyPair }, 'current'));
    const stored = (await done(db.transaction('session').objectStore('session').get('current'))) as { keyPair: typeof keyPair };
    db.close();
    expect(stored.keyPair.privateKey).not.toBe(keyPair.privateKey);
    expect(stored.keyPair.privateKey).toBeInstanceOf(CryptoKey);
    await expect(crypto.subtle.exportKey('pkcs8', stored.keyPair.privateKey)).rejects.toThrow();
    expect(stored.keyPair.publicJwk).toEqual(keyPair.publicJwk);
    const url = 'https://api.example.test/v1/items';
    const { request } = await boundRequest(stored.keyPair, 'GET', url);
    await expect(verifyRequest(request, options)).resolves.toMatchObject({ jkt: await thumbprint(keyPair) });
  });
});

describe('createDpopProof', () => {
  afterEach(() => vi.restoreAllMocks());

  it("puts the stored public JWK in the header without exporting the key (a restarted worker's first proof)", async () => {
    const keyPair = await generateDpopKeyPair();
    const exportKey = vi.spyOn(crypto.subtle, 'exportKey');
    const { request } = await boundRequest(keyPair, 'GET', 'https://api.example.test/v1/items');
    const { kty, crv, x, y } = keyPair.publicJwk;
    expect(decodeProtectedHeader(request.headers.get('dpop') ?? '').jwk).toEqual({ kty, crv, x, y });
    // (boundRequest's own thumbprint exports the public key once, with jose; the proof did not.)
    expect(exportKey.mock.calls.filter(([format]) => format === 'jwk')).toHaveLength(1);
    await expect(verifyRequest(request, options)).resolves.toMatchObject({ jkt: await thumbprint(keyPair) });
  });

  it('signs with a pair stored without its public JWK (an older session): its public key exported, the same header', async () => {
    const { privateKey, publicKey, publicJwk } = await generateDpopKeyPair();
    const older: CryptoKeyPair = { privateKey, publicKey };
    const url = 'https://api.example.test/v1/items';
    const proofs = [await createDpopProof(older, { method: 'GET', url }), await createDpopProof(older, { method: 'GET', url })];
    for (const proof of proofs) expect(decodeProtectedHeader(proof).jwk).toEqual({ kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y });
    const { request } = await boundRequest(older, 'GET', url);
    await expect(verifyRequest(request, options)).resolves.toMatchObject({ jkt: await thumbprint(older) });
  });

  it('makes proofs bearer-sw/server accepts, for any method, with the query and fragment left out of htu', async () => {
    const keyPair = await generateDpopKeyPair();
    for (const [method, url] of [
      ['GET', 'https://api.example.test/v1/items?page=2#top'],
      ['POST', 'https://api.example.test/v1/items'],
      ['DELETE', 'http://localhost:8080/v1/items/7?force=1'],
    ] as const) {
      const { request } = await boundRequest(keyPair, method, url);
      await expect(verifyRequest(request, options)).resolves.toMatchObject({ scheme: 'DPoP', jkt: await thumbprint(keyPair) });
    }
  });

  it('puts typ, ES256 and only the public members of the key in the header; htm, htu, iat, jti, ath in the claims', async () => {
    const keyPair = await generateDpopKeyPair();
    const token = 'an.access.token';
    const proof = await createDpopProof(keyPair, { method: 'PATCH', url: 'https://api.example.test/v1/a?b=c#d', accessToken: token });
    const header = decodeProtectedHeader(proof);
    expect(header).toEqual({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) } });
    const claims = decodeJwt(proof);
    expect(claims).toEqual({
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      htm: 'PATCH',
      htu: 'https://api.example.test/v1/a',
      iat: expect.any(Number),
      ath: createHash('sha256').update(token).digest('base64url'),
    });
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('makes a fresh jti for every proof, and no ath without a token (the token endpoint)', async () => {
    const keyPair = await generateDpopKeyPair();
    const request = { method: 'POST', url: 'https://idp.example.test/token' };
    const proofs = await Promise.all(Array.from({ length: 20 }, () => createDpopProof(keyPair, request)));
    expect(new Set(proofs.map((p) => decodeJwt(p).jti)).size).toBe(20);
    expect(decodeJwt(proofs[0] as string)).not.toHaveProperty('ath');
    expect(decodeJwt(await createDpopProof(keyPair, { ...request, nonce: 'n-1' }))).toMatchObject({ nonce: 'n-1' });
  });

  it('is refused by the server when replayed, sent for another URL, or signed by another session key', async () => {
    const keyPair = await generateDpopKeyPair();
    const { request } = await boundRequest(keyPair, 'GET', 'https://api.example.test/v1/items');
    await verifyRequest(request.clone(), options);
    await expect(verifyRequest(request, options)).rejects.toMatchObject({ code: 'proof-replayed' });
    const { token } = await boundRequest(keyPair, 'GET', 'https://api.example.test/v1/items');
    const elsewhere = await createDpopProof(keyPair, { method: 'GET', url: 'https://api.example.test/v1/other', accessToken: token });
    await expect(verifyRequest(new Request('https://api.example.test/v1/items', { headers: { authorization: `DPoP ${token}`, dpop: elsewhere } }), options)).rejects.toMatchObject({ code: 'proof-mismatch' });
    const other = await generateDpopKeyPair();
    const stolen = await createDpopProof(other, { method: 'GET', url: 'https://api.example.test/v1/items', accessToken: token });
    await expect(verifyRequest(new Request('https://api.example.test/v1/items', { headers: { authorization: `DPoP ${token}`, dpop: stolen } }), options)).rejects.toMatchObject({ code: 'key-mismatch' });
  });

  it('refuses a URL that is not http(s)', async () => {
    const keyPair = await generateDpopKeyPair();
    await expect(createDpopProof(keyPair, { method: 'GET', url: 'ftp://x.example/y' })).rejects.toThrow(TypeError);
  });
});

describe('nonces', () => {
  it('learns a resource server nonce from its use_dpop_nonce challenge and succeeds with it', async () => {
    const keyPair = await generateDpopKeyPair();
    const withNonces = { ...options, dpop: { nonces: createNonceIssuer() } };
    const url = 'https://api.example.test/v1/items';
    const memory = new DpopNonceMemory();
    const first = await boundRequest(keyPair, 'GET', url, memory.get(url));
    const refusal = await verifyRequest(first.request, withNonces).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RequestVerificationError);
    const response = errorResponse(refusal as RequestVerificationError, withNonces);
    expect(await isDpopNonceChallenge(response)).toBe(true);
    expect(memory.learn(url, response)).toBe(true);
    expect(memory.learn(url, response)).toBe(false);
    const retry = await boundRequest(keyPair, 'GET', url, memory.get(url));
    await expect(verifyRequest(retry.request, withNonces)).resolves.toMatchObject({ scheme: 'DPoP' });
  });

  it('keeps one nonce per origin, the newest, within its bound', () => {
    const memory = new DpopNonceMemory(2);
    const answer = (nonce: string) => new Response(null, { headers: { 'dpop-nonce': nonce } });
    memory.learn('https://a.example/token', answer('a1'));
    memory.learn('https://a.example/other?x', answer('a2'));
    memory.learn('https://b.example/', answer('b1'));
    expect(memory.get('https://a.example/v1')).toBe('a2');
    expect(memory.get('https://a.example:8443/v1')).toBeUndefined();
    expect(memory.get('https://b.example/x')).toBe('b1');
    memory.learn('https://c.example/', answer('c1'));
    expect(memory.get('https://a.example/v1')).toBeUndefined();
    expect(memory.get('https://c.example/')).toBe('c1');
    expect(memory.learn('https://c.example/', new Response(null, { headers: { 'dpop-nonce': 'has"quote' } }))).toBe(false);
    expect(memory.learn('https://c.example/', new Response(null))).toBe(false);
    expect(memory.get('https://c.example/')).toBe('c1');
  });

  it('tells an authorization server nonce challenge (400 JSON) from other errors, leaving the body readable', async () => {
    const json = (status: number, body: object) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'dpop-nonce': 'n' } });
    const challenge = json(400, { error: 'use_dpop_nonce', error_description: 'nonce required' });
    expect(await isDpopNonceChallenge(challenge)).toBe(true);
    expect(await challenge.json()).toMatchObject({ error: 'use_dpop_nonce' });
    expect(await isDpopNonceChallenge(json(400, { error: 'invalid_grant' }))).toBe(false);
    expect(await isDpopNonceChallenge(json(401, { error: 'use_dpop_nonce' }))).toBe(false);
    expect(await isDpopNonceChallenge(new Response('use_dpop_nonce', { status: 400 }))).toBe(false);
    expect(await isDpopNonceChallenge(new Response('{', { status: 400, headers: { 'content-type': 'application/json' } }))).toBe(false);
  });

  it('tells a resource server nonce challenge (401 DPoP error="use_dpop_nonce") from other challenges', async () => {
    const answer = (value: string, status = 401) => new Response(null, { status, headers: { 'www-authenticate': value } });
    expect(await isDpopNonceChallenge(answer('DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"'))).toBe(true);
    expect(await isDpopNonceChallenge(answer('Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"'))).toBe(true);
    expect(await isDpopNonceChallenge(answer('dpop error=use_dpop_nonce'))).toBe(true);
    expect(await isDpopNonceChallenge(answer('Bearer error="use_dpop_nonce"'))).toBe(false);
    expect(await isDpopNonceChallenge(answer('DPoP error="invalid_token"'))).toBe(false);
    expect(await isDpopNonceChallenge(answer('DPoP error="use_dpop_nonce"', 403))).toBe(false);
    expect(await isDpopNonceChallenge(new Response(null, { status: 401 }))).toBe(false);
  });

  // The header as RFC 9110 §11.6.1 writes it: several challenges, quoted strings with commas and escapes,
  // a token68, parameter names in any case; and the challenge must be DPoP's own.
  it.each([
    ['Bearer', false],
    ['Bearer, DPoP algs="ES256 PS256"', false],
    ['Bearer realm="a, b", error="invalid_token", DPoP algs="ES256", error="use_dpop_nonce"', true],
    ['DPoP error="use_dpop_nonce", Bearer error="invalid_token"', true],
    ['Basic dXNlcjpwYXNz, DPoP ERROR="use_dpop_nonce"', true],
    ['Newauth realm="apps", type=1, title="Login to \\"apps\\"", DPoP error=use_dpop_nonce', true],
    ['DPoP error="invalid_token", error_description="use_dpop_nonce"', false],
    ['DPoP error="use_dpop_nonce', false],
  ])('reads the 401 challenge %s: %s', async (value, expected) => {
    expect(await isDpopNonceChallenge(new Response(null, { status: 401, headers: { 'www-authenticate': value } }))).toBe(expected);
  });
});
