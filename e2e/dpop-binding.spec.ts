// DPoP end to end in Node, before the worker wires it (issue 13): the real provider binds tokens to a key made by the
// worker's own DPoP code, bearer-sw/server enforces the binding at the API, and a thief holding the tokens but not
// the key gets nowhere — at the API or at the token endpoint — while the key holder keeps working.
import { expect, test } from '@playwright/test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';

import { createDpopProof, DpopNonceMemory, generateDpopKeyPair, isDpopNonceChallenge } from '../src/worker/dpop/index.js';
import { createApiVerifier } from '../stack/api-verifier.js';
import { loginWithCodeFlow, refreshWithToken, type DpopClient } from '../stack/code-flow.js';
import { startOidcProvider, type OidcServer } from '../stack/provider.js';

const APP_ORIGIN = 'http://localhost:5173';
const API = 'http://api.test:8080';

async function dpopClient(): Promise<DpopClient & { jkt: string }> {
  const keyPair = await generateDpopKeyPair();
  return { keyPair, nonces: new DpopNonceMemory(), jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256') };
}

/** An API request carrying `token` with `scheme`, and a proof signed by `client`'s key when given. */
async function apiRequest(token: string, scheme: 'DPoP' | 'Bearer', client?: DpopClient, url = `${API}/v1/items?page=1`): Promise<Request> {
  const headers = new Headers({ authorization: `${scheme} ${token}` });
  if (client !== undefined) headers.set('dpop', await createDpopProof(client.keyPair, { method: 'GET', url, accessToken: token }));
  return new Request(url, { headers });
}

let provider: OidcServer;

test.afterEach(async () => {
  await provider?.close();
});

test('tokens bound to the worker key: the API and the provider refuse them to anyone without that key', async () => {
  provider = await startOidcProvider({ appOrigin: APP_ORIGIN, apiAudience: API, redirectUri: `${APP_ORIGIN}/callback` });
  const verifier = createApiVerifier(provider, API);
  const owner = await dpopClient();
  const thief = await dpopClient();

  const login = await loginWithCodeFlow(provider, { dpop: owner });
  expect(login.tokenType).toBe('DPoP');
  expect(decodeJwt(login.accessToken).cnf).toEqual({ jkt: owner.jkt });

  // The key holder's requests pass, each with a fresh proof.
  expect(await verifier.verify(await apiRequest(login.accessToken, 'DPoP', owner))).toMatchObject({ ok: true, sub: 'alice', scheme: 'DPoP', jkt: owner.jkt });
  expect(await verifier.verify(await apiRequest(login.accessToken, 'DPoP', owner))).toMatchObject({ ok: true });

  // The stolen access token: as Bearer, without a proof, with the thief's proof, with a replayed proof.
  expect(await verifier.verify(await apiRequest(login.accessToken, 'Bearer'))).toMatchObject({ ok: false, code: 'bound-token-as-bearer' });
  expect(await verifier.verify(await apiRequest(login.accessToken, 'DPoP'))).toMatchObject({ ok: false, code: 'missing-proof' });
  expect(await verifier.verify(await apiRequest(login.accessToken, 'DPoP', thief))).toMatchObject({ ok: false, code: 'key-mismatch' });
  const seen = await apiRequest(login.accessToken, 'DPoP', owner);
  expect(await verifier.verify(seen.clone())).toMatchObject({ ok: true });
  const replayed = await verifier.verify(seen);
  expect(replayed).toMatchObject({ ok: false, code: 'proof-replayed', challenge: { status: 401 } });
  if (!replayed.ok) expect(replayed.challenge.headers['www-authenticate']).toContain('DPoP algs="ES256');

  // The stolen refresh token: refused without a proof and with the thief's; neither attempt costs the owner the grant.
  const bare = await refreshWithToken(provider, login.refreshToken);
  expect(bare).toMatchObject({ ok: false, status: 400 });
  const stolen = await refreshWithToken(provider, login.refreshToken, { dpop: thief });
  expect(stolen).toMatchObject({ ok: false, status: 400 });
  const refreshed = await refreshWithToken(provider, login.refreshToken, { dpop: owner });
  expect(refreshed.ok, JSON.stringify(refreshed)).toBe(true);
  if (!refreshed.ok) return;
  expect(refreshed.tokens.tokenType).toBe('DPoP');
  expect(decodeJwt(refreshed.tokens.accessToken).cnf).toEqual({ jkt: owner.jkt });
  expect(await verifier.verify(await apiRequest(refreshed.tokens.accessToken, 'DPoP', owner))).toMatchObject({ ok: true, jkt: owner.jkt });
  expect(provider.stats).toMatchObject({ codeGrants: 1, refreshGrants: 1 });
});

test('a token endpoint that requires a nonce: the use_dpop_nonce answer is recognised and retried once with its nonce', async () => {
  provider = await startOidcProvider({ appOrigin: APP_ORIGIN, apiAudience: API, redirectUri: `${APP_ORIGIN}/callback`, dpopNonce: true });
  const owner = await dpopClient();
  const endpoint = new URL(provider.tokenEndpoint.replace('localhost', '127.0.0.1'));

  // The provider does ask: a proof without its nonce gets 400 use_dpop_nonce with a DPoP-Nonce header.
  const asked = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await createDpopProof(owner.keyPair, { method: 'POST', url: endpoint }) },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: provider.clientId, refresh_token: 'unknown' }),
  });
  expect(asked.status).toBe(400);
  expect(await isDpopNonceChallenge(asked)).toBe(true);
  expect(asked.headers.get('dpop-nonce')).toEqual(expect.any(String));

  // So the code exchange succeeds only by learning the nonce from that answer and retrying with it.
  const login = await loginWithCodeFlow(provider, { dpop: owner });
  expect(login.tokenType).toBe('DPoP');
  expect(owner.nonces.get(endpoint), 'the nonce learnt from the provider').toEqual(expect.any(String));
  const refreshed = await refreshWithToken(provider, login.refreshToken, { dpop: owner });
  expect(refreshed.ok, JSON.stringify(refreshed)).toBe(true);
  if (!refreshed.ok) return;

  // A nonce the provider does not accept: challenged, then retried with the provider's nonce.
  const stale = { ...owner, nonces: new DpopNonceMemory() };
  stale.nonces.learn(endpoint, new Response(null, { headers: { 'dpop-nonce': 'not-the-providers-nonce' } }));
  const retried = await refreshWithToken(provider, refreshed.tokens.refreshToken, { dpop: stale });
  expect(retried.ok, JSON.stringify(retried)).toBe(true);
  expect(stale.nonces.get(endpoint)).not.toBe('not-the-providers-nonce');
  expect(provider.stats).toMatchObject({ codeGrants: 1, refreshGrants: 2 });
});

test("oauth4webapi's token requests carry the worker's proof as a header: one proof implementation for the token endpoint and the APIs", async () => {
  provider = await startOidcProvider({ appOrigin: APP_ORIGIN, apiAudience: API, redirectUri: `${APP_ORIGIN}/callback` });
  const owner = await dpopClient();
  const login = await loginWithCodeFlow(provider, { dpop: owner });
  // The authorization server as the worker's login would describe it; Node reaches it over 127.0.0.1.
  const tokenEndpoint = provider.tokenEndpoint.replace('localhost', '127.0.0.1');
  const as: oauth.AuthorizationServer = { issuer: provider.issuer, token_endpoint: tokenEndpoint };
  const client: oauth.Client = { client_id: provider.clientId };
  const proof = await createDpopProof(owner.keyPair, { method: 'POST', url: tokenEndpoint });
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), login.refreshToken, { headers: { dpop: proof }, [oauth.allowInsecureRequests]: true });
  const result = await oauth.processRefreshTokenResponse(as, client, response);
  expect(result.token_type).toBe('dpop');
  expect(decodeJwt(result.access_token).cnf).toEqual({ jkt: owner.jkt });
  const verifier = createApiVerifier(provider, API);
  expect(await verifier.verify(await apiRequest(result.access_token, 'DPoP', owner))).toMatchObject({ ok: true, jkt: owner.jkt });
});
