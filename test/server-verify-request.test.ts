// bearer-sw/server: the access token, from every header style the worker sends, and the answers to refusals.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  challenge,
  errorResponse,
  RequestVerificationError,
  toFetchRequest,
  verifyIncomingMessage,
  verifyRequest,
  type VerificationErrorCode,
  type VerifyRequestOptions,
} from '../src/server/index.js';
import { apiRequest, AUDIENCE, createClientKey, createIssuer, ISSUER, makeProof, type Issuer } from './support/dpop-fixtures.js';

let issuer: Issuer;
let options: VerifyRequestOptions;

beforeAll(async () => {
  issuer = await createIssuer();
  options = { jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt' };
});

/** Runs verifyRequest and returns the error it threw (failing the test if it did not throw one of ours). */
async function refusal(request: Request, opts: VerifyRequestOptions = options): Promise<RequestVerificationError> {
  const error = await verifyRequest(request, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'verifyRequest should have refused').toBeInstanceOf(RequestVerificationError);
  return error as RequestVerificationError;
}

async function expectRefused(request: Request, code: VerificationErrorCode, opts: VerifyRequestOptions = options): Promise<RequestVerificationError> {
  const error = await refusal(request, opts);
  expect(error.code, error.message).toBe(code);
  expect(error.message).toMatch(/^Failed to verify the request: /);
  // Never a token or a proof in what a log line would show.
  for (const value of request.headers.values()) {
    for (const part of value.split(/[ ,]+/)) if (part.length > 20) expect(error.message).not.toContain(part);
  }
  return error;
}

describe('verifyRequest: the access token', () => {
  it('accepts a valid token in Authorization: Bearer, and returns its claims', async () => {
    const token = await issuer.mint({ sub: 'bob' });
    const result = await verifyRequest(apiRequest({ authorization: `Bearer ${token}` }), options);
    expect(result.claims).toMatchObject({ sub: 'bob', iss: ISSUER, aud: AUDIENCE });
    expect(result).toMatchObject({ scheme: 'Bearer', jkt: null, nonce: null });
  });

  it('reads the scheme case-insensitively', async () => {
    const token = await issuer.mint();
    expect((await verifyRequest(apiRequest({ authorization: `bearer ${token}` }), options)).scheme).toBe('Bearer');
  });

  it('reads a named header with a scheme', async () => {
    const token = await issuer.mint();
    const result = await verifyRequest(apiRequest({ 'x-api-token': `Bearer ${token}` }), { ...options, header: { name: 'x-api-token', scheme: true } });
    expect(result).toMatchObject({ scheme: 'Bearer', claims: { sub: 'alice' } });
  });

  it('reads a named header without a scheme', async () => {
    const token = await issuer.mint();
    const result = await verifyRequest(apiRequest({ 'x-api-token': token }), { ...options, header: { name: 'X-Api-Token', scheme: false } });
    expect(result).toMatchObject({ scheme: null, claims: { sub: 'alice' } });
  });

  it('does not look at Authorization when the token is configured in a named header', async () => {
    const token = await issuer.mint();
    await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'missing-token', { ...options, header: { name: 'x-api-token', scheme: false } });
  });

  it('refuses a request without a token: missing-token, 401, a challenge without an error code', async () => {
    const error = await expectRefused(apiRequest({}), 'missing-token');
    expect(challenge(error, options)).toEqual({
      status: 401,
      headers: {
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer, DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519"',
        'access-control-expose-headers': 'WWW-Authenticate',
      },
    });
  });

  it('refuses an expired token: token-expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ iat: now - 120, exp: now - 60 });
    const error = await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'token-expired');
    expect(error.error).toBe('invalid_token');
  });

  it('accepts a token that expired within the given clock tolerance, refuses it by default', async () => {
    const token = await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 2 });
    await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'token-expired');
    await expect(verifyRequest(apiRequest({ authorization: `Bearer ${token}` }), { ...options, clockToleranceSeconds: 5 })).resolves.toMatchObject({ scheme: 'Bearer' });
  });

  it('refuses a token without exp', async () => {
    const token = await issuer.mint({ exp: undefined });
    await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
  });

  it('refuses a token for another audience: invalid-token naming "aud"', async () => {
    const token = await issuer.mint({ aud: 'https://other-api.example.test' });
    const error = await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
    expect(error.message).toContain('"aud"');
  });

  it('refuses a token from another issuer: invalid-token naming "iss"', async () => {
    const token = await issuer.mint({ iss: 'https://evil.example.test' });
    const error = await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
    expect(error.message).toContain('"iss"');
  });

  it('refuses a token signed by another key with the same kid: bad signature', async () => {
    const impostor = await createIssuer('issuer-key');
    const token = await impostor.mint();
    const error = await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
    expect(error.message).toContain('signature');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await issuer.mint()).split('.');
    const payload = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    await expectRefused(apiRequest({ authorization: `Bearer ${header}.${payload}.${signature}` }), 'invalid-token');
  });

  it('refuses an unsigned (alg none) token', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
  });

  it('refuses a token of another typ when typ is required (an ID token, say)', async () => {
    const token = await issuer.mint({}, { typ: 'JWT' });
    await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'invalid-token');
    const { typ: _typ, ...untyped } = options;
    await expect(verifyRequest(apiRequest({ authorization: `Bearer ${token}` }), untyped)).resolves.toBeTruthy();
  });

  it('refuses garbage, an unknown scheme and two tokens as malformed or invalid', async () => {
    await expectRefused(apiRequest({ authorization: 'Bearer not-a-jwt' }), 'invalid-token');
    const token = await issuer.mint();
    expect((await expectRefused(apiRequest({ authorization: `Basic ${token}` }), 'malformed-request')).status).toBe(400);
    await expectRefused(apiRequest({ authorization: `Bearer ${token}, Bearer ${token}` }), 'malformed-request');
    await expectRefused(apiRequest({ authorization: 'Bearer' }), 'malformed-request');
    await expectRefused(apiRequest({ 'x-api-token': `${token} ${token}` }), 'malformed-request', { ...options, header: { name: 'x-api-token', scheme: false } });
  });

  it('answers an invalid token with 401 and error="invalid_token" on the Bearer challenge', async () => {
    const token = await issuer.mint({ aud: 'https://other-api.example.test' });
    const error = await refusal(apiRequest({ authorization: `Bearer ${token}` }));
    const response = errorResponse(error, options);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="Failed to verify the request: the access token\'s aud is not accepted", DPoP algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 EdDSA Ed25519"',
    );
    expect(response.headers.get('dpop-nonce')).toBeNull();
  });
});

describe('verifyRequest: a remote key set', () => {
  let server: Server;
  let jwksUrl: URL;
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(issuer.jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches the JWKS once and caches it across calls', async () => {
    const remote = { ...options, jwks: jwksUrl };
    for (let i = 0; i < 3; i += 1) {
      const token = await issuer.mint();
      await expect(verifyRequest(apiRequest({ authorization: `Bearer ${token}` }), { ...remote, jwks: new URL(jwksUrl.href) })).resolves.toBeTruthy();
    }
    expect(fetches).toBe(1);
  });

  it('says jwks-unavailable (503, no challenge) when the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const token = await issuer.mint();
    const error = await expectRefused(apiRequest({ authorization: `Bearer ${token}` }), 'jwks-unavailable', { ...options, jwks: new URL(`http://127.0.0.1:${port}/jwks`) });
    expect(challenge(error, options)).toEqual({ status: 503, headers: { 'cache-control': 'no-store' } });
  });
});

describe('verifyIncomingMessage: a Node http server', () => {
  it('verifies Bearer and DPoP requests as Node received them, and sees two DPoP headers as two', async () => {
    const key = await createClientKey();
    const outcomes: string[] = [];
    const server = createServer((request, response) => {
      verifyIncomingMessage(request, options).then(
        (result) => {
          outcomes.push(`${result.scheme}:${result.claims.sub}`);
          response.writeHead(200).end();
        },
        (error: unknown) => {
          if (!(error instanceof RequestVerificationError)) throw error;
          outcomes.push(error.code);
          const { status, headers } = challenge(error, options);
          response.writeHead(status, headers).end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const send = (headers: Record<string, string | string[]>, method = 'GET') =>
        new Promise<number>((resolve, reject) => {
          const request = httpRequest(`${origin}/v1/items?page=2`, { method, headers }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          request.on('error', reject).end();
        });
      const bearer = await issuer.mint({ sub: 'carol' });
      expect(await send({ authorization: `Bearer ${bearer}` })).toBe(200);

      const bound = await issuer.mint({ sub: 'dave', cnf: { jkt: key.jkt } });
      const proof = await makeProof(key, { method: 'POST', url: `${origin}/v1/items`, token: bound });
      expect(await send({ authorization: `DPoP ${bound}`, dpop: proof }, 'POST')).toBe(200);

      const other = await makeProof(key, { method: 'POST', url: `${origin}/v1/items`, token: bound });
      const again = await makeProof(key, { method: 'POST', url: `${origin}/v1/items`, token: bound });
      expect(await send({ authorization: `DPoP ${bound}`, dpop: [other, again] }, 'POST')).toBe(400);
      expect(outcomes).toEqual(['Bearer:carol', 'DPoP:dave', 'malformed-request']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('uses the given origin instead of the Host header (a TLS-terminating proxy)', async () => {
    const key = await createClientKey();
    const token = await issuer.mint({ cnf: { jkt: key.jkt } });
    const proof = await makeProof(key, { url: 'https://api.example.test/v1/items', token });
    const message = {
      method: 'GET',
      url: '/v1/items',
      headers: {},
      rawHeaders: ['Host', 'internal:8080', 'Authorization', `DPoP ${token}`, 'DPoP', proof],
      socket: { encrypted: false },
    };
    await expect(verifyIncomingMessage(message, { ...options, origin: 'https://api.example.test' })).resolves.toMatchObject({ scheme: 'DPoP' });
    const proof2 = await makeProof(key, { url: 'https://api.example.test/v1/items', token });
    const viaHost = { ...message, rawHeaders: ['Host', 'internal:8080', 'Authorization', `DPoP ${token}`, 'DPoP', proof2] };
    await expect(verifyIncomingMessage(viaHost, options)).rejects.toMatchObject({ code: 'proof-mismatch' });
    // A proof made for another server, replayed here with that server's name in Host: refused once the origin is pinned.
    const forOther = await makeProof(key, { url: 'https://other.example.test/v1/items', token });
    const spoofed = { ...message, rawHeaders: ['Host', 'other.example.test', 'Authorization', `DPoP ${token}`, 'DPoP', forOther], socket: { encrypted: true } };
    await expect(verifyIncomingMessage(spoofed, { ...options, origin: 'https://api.example.test' })).rejects.toMatchObject({ code: 'proof-mismatch' });
    // The same proof, with the other server named in the request target itself (absolute form, or
    // scheme-relative): the pinned origin still decides the URL, so it is refused too.
    for (const url of ['https://other.example.test/v1/items', '//other.example.test/v1/items']) {
      const proof3 = await makeProof(key, { url: 'https://other.example.test/v1/items', token });
      const viaTarget = { ...message, url, rawHeaders: ['Host', 'internal:8080', 'Authorization', `DPoP ${token}`, 'DPoP', proof3] };
      await expect(verifyIncomingMessage(viaTarget, { ...options, origin: 'https://api.example.test' }), url).rejects.toMatchObject({ code: 'proof-mismatch' });
      expect(toFetchRequest(viaTarget, { origin: 'https://api.example.test' }).url).toBe('https://api.example.test/v1/items');
    }
  });
});

describe('toFetchRequest', () => {
  it('takes https from a TLS socket, keeps duplicate headers, and needs a Host or an origin', () => {
    const tls = toFetchRequest({ method: 'PUT', url: '/v1/a?b=1', headers: { host: 'api.example.test' }, socket: { encrypted: true } });
    expect([tls.method, tls.url]).toEqual(['PUT', 'https://api.example.test/v1/a?b=1']);
    const plain = toFetchRequest({ url: '/x', headers: {}, rawHeaders: ['Host', 'a.test:81', 'X-Twice', '1', 'x-twice', '2'], socket: {} });
    expect([plain.method, plain.url, plain.headers.get('x-twice')]).toEqual(['GET', 'http://a.test:81/x', '1, 2']);
    expect(() => toFetchRequest({ url: '/x', headers: {} })).toThrow(TypeError);
    expect(toFetchRequest({ url: '/x', headers: {} }, { origin: 'https://api.example.test' }).url).toBe('https://api.example.test/x');
  });
});
