// completeLogin against a token endpoint played by the test (Node's fetch stubbed): which code a
// failure reaches the page with, and that nothing is spent when the login could not be checked.
import { generateKeyPair, SignJWT } from 'jose';
import type * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completeLogin, type CompleteLoginContext } from '../src/worker/login/complete-login.js';
import { checkLoginOptions } from '../src/worker/login/login-options.js';

const ISSUER = 'https://as.test';
const options = checkLoginOptions({ issuer: ISSUER, clientId: 'spa', redirectUri: 'https://app.test/callback' });
const pending = { kind: 'login' as const, key: 'the-state', verifier: 'v'.repeat(43), nonce: 'the-nonce', returnTo: 'https://app.test/', createdAt: Date.now() };
const callback = new URL(`https://app.test/callback?code=the-code&state=${pending.key}&iss=${encodeURIComponent(ISSUER)}`);
const as: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/jwks` };

/** The context of a login whose token endpoint answers with `idToken`; `calls` lists what was fetched. */
function contextAnswering(idToken: string, metadata: oauth.AuthorizationServer = as) {
  const calls: string[] = [];
  vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
    calls.push(input instanceof Request ? input.url : String(input));
    return Promise.resolve(Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken }));
  });
  const context: CompleteLoginContext = {
    as: metadata,
    client: { client_id: 'spa', token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'RS256' },
    options,
    idTokens: { verify: () => Promise.resolve() },
    requestOptions: () => ({}),
  };
  return { calls, context };
}

async function idTokenSignedWith(alg: 'RS256' | 'ES256'): Promise<string> {
  const { privateKey } = await generateKeyPair(alg);
  return new SignJWT({ sub: 'alice', nonce: pending.nonce })
    .setProtectedHeader({ alg })
    .setIssuer(ISSUER)
    .setAudience('spa')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

afterEach(() => vi.unstubAllGlobals());

describe('completeLogin', () => {
  it('reports an ID token signed with another algorithm than the client registered as login-id-token-invalid', async () => {
    const { context } = contextAnswering(await idTokenSignedWith('ES256'));
    await expect(completeLogin(callback, pending, context)).rejects.toMatchObject({ code: 'login-id-token-invalid' });
  });

  it('accepts the registered algorithm (the signature itself is the verifier\'s: here it accepts)', async () => {
    const { context } = contextAnswering(await idTokenSignedWith('RS256'));
    await expect(completeLogin(callback, pending, context)).resolves.toMatchObject({ user: { sub: 'alice' } });
  });

  it('does not spend the code when the server publishes no keys to check the ID token with', async () => {
    const { calls, context } = contextAnswering(await idTokenSignedWith('RS256'), { issuer: ISSUER, token_endpoint: `${ISSUER}/token` });
    await expect(completeLogin(callback, pending, context)).rejects.toMatchObject({ code: 'login-id-token-invalid' });
    expect(calls).toEqual([]);
  });
});
