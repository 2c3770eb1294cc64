import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdTokenVerifier } from '../src/worker/login/verify-id-token.js';

const ISSUER = 'https://op.test';
const CLIENT = 'spa';

interface Signer { kid: string; privateKey: CryptoKey; jwk: JWK }
async function signer(kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}
function idToken(key: Signer, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(CLIENT)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

// The key set the server publishes, what it answers, and every fetch it received.
let published: JWK[] = [];
let status = 200;
const fetched: Array<{ accept: string | undefined; cookie: string | undefined }> = [];
let server: Server;
let jwksUri: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    fetched.push({ accept: request.headers.accept, cookie: request.headers.cookie });
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ID token verifier', () => {
  it('accepts a token signed by a published key, fetching the key set for each token', async () => {
    const key = await signer('k1');
    published = [key.jwk];
    status = 200;
    const verifier = createIdTokenVerifier('RS256');
    const before = fetched.length;
    await verifier.verify(await idToken(key), jwksUri);
    await verifier.verify(await idToken(key), jwksUri);
    expect(fetched.length - before).toBe(2);
    expect(fetched.at(-1)?.accept).toBe('application/json');
  });

  it('follows a key rotation at once: the next token verifies against the new key', async () => {
    const [old, next] = [await signer('old'), await signer('new')];
    published = [old.jwk];
    const verifier = createIdTokenVerifier('RS256');
    await verifier.verify(await idToken(old), jwksUri);
    published = [next.jwk];
    await expect(verifier.verify(await idToken(next), jwksUri)).resolves.toBeUndefined();
    await expect(verifier.verify(await idToken(old), jwksUri)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses a token signed by a key the server does not publish under that kid', async () => {
    const [real, forged] = [await signer('k1'), await signer('k1')];
    published = [real.jwk];
    await expect(createIdTokenVerifier('RS256').verify(await idToken(forged), jwksUri)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses another algorithm, and claims changed after signing', async () => {
    const key = await signer('k1');
    published = [key.jwk];
    await expect(createIdTokenVerifier('ES256').verify(await idToken(key), jwksUri)).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    // The claims oauth4webapi checked are the ones signed: another audience put in after signing breaks the signature.
    const [header, , signature] = (await idToken(key)).split('.');
    const claims = Buffer.from(JSON.stringify({ sub: 'alice', iss: ISSUER, aud: 'other', iat: 1, exp: 2 ** 31 })).toString('base64url');
    await expect(createIdTokenVerifier('RS256').verify(`${header}.${claims}.${signature}`, jwksUri)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('fails when the key set cannot be had: an error status, a body that is not a key set', async () => {
    const key = await signer('k1');
    published = [key.jwk];
    status = 503;
    await expect(createIdTokenVerifier('RS256').verify(await idToken(key), jwksUri)).rejects.toThrow('the key set answered 503');
    status = 200;
    published = 'not keys' as unknown as JWK[];
    await expect(createIdTokenVerifier('RS256').verify(await idToken(key), jwksUri)).rejects.toMatchObject({ code: 'ERR_JWKS_INVALID' });
  });
});
