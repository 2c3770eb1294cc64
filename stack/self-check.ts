/**
 * Self-check of the OAuth fixture: `npx tsx stack/self-check.ts`.
 * Prints one PASS/FAIL line per check and a closing `N passed, N failed` line; exits 1 on any failure.
 */
import { createApiVerifier } from './api-verifier.js';
import { loginWithCodeFlow, refreshWithToken } from './code-flow.js';
import type { TokenResult, TokenSet } from './code-flow.js';
import { startFaultProxy, tokenEndpointVia } from './fault-proxy.js';
import { loopbackUrl } from './loopback.js';
import { startOidcProvider } from './provider.js';

const APP_ORIGIN = 'http://localhost:5173';
const API_AUDIENCE = 'http://localhost:5173/api';

let passed = 0;
let failed = 0;

function check(name: string, ok: boolean, detail?: unknown): void {
  if (ok) passed += 1;
  else failed += 1;
  const suffix = ok || detail === undefined ? '' : ` — ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${suffix}`);
}

/** Runs one group of checks; a thrown error fails the group instead of stopping the script. */
async function section(name: string, body: () => Promise<void>): Promise<void> {
  console.log(`\n# ${name}`);
  try {
    await body();
  } catch (error) {
    check(`${name}: completed without throwing`, false, error instanceof Error ? error.stack ?? error.message : error);
  }
}

function tokensOf(result: TokenResult): TokenSet {
  if (!result.ok) throw new Error(`expected tokens, got ${result.status} ${result.error} ${result.errorDescription ?? ''}`);
  return result.tokens;
}

/** A request to the API carrying `token` as `Authorization: Bearer`, as the worker sends it. */
const apiRequest = (token: string) => new Request(`${API_AUDIENCE}/v1/items`, { headers: { authorization: `Bearer ${token}` } });

const isInvalidGrant = (result: TokenResult) => !result.ok && result.status === 400 && result.error === 'invalid_grant';

const server = await startOidcProvider({
  appOrigin: APP_ORIGIN,
  apiAudience: API_AUDIENCE,
  redirectUri: `${APP_ORIGIN}/callback`,
});
const proxy = await startFaultProxy(server.nodeOrigin);
const viaProxy = { tokenEndpoint: tokenEndpointVia(proxy, server), origin: APP_ORIGIN };
const verifier = createApiVerifier(server, API_AUDIENCE);
console.log(`provider ${server.issuer} (token endpoint ${server.tokenEndpoint}), proxy token endpoint ${viaProxy.tokenEndpoint}`);

try {
  await section('code flow and API verification', async () => {
    const tokens = await loginWithCodeFlow(server, { username: 'alice' });
    check('code flow returns access and refresh tokens', tokens.accessToken.length > 0 && tokens.refreshToken.length > 0);
    check('expires_in is the access token TTL (20 s)', tokens.expiresIn === 20, tokens.expiresIn);
    check('an id_token is returned for the openid scope', typeof tokens.idToken === 'string');
    check('one code grant counted', server.stats.codeGrants === 1, server.stats);

    const verified = await verifier.verify(apiRequest(tokens.accessToken));
    check('access token is a JWT for the API, sub = alice', verified.ok && verified.sub === 'alice', verified);
    if (verified.ok) check('exp is about 20 s ahead', Math.abs(verified.exp - Date.now() / 1000 - 20) <= 2, verified.exp);
    const wrongAudience = await createApiVerifier(server, 'http://localhost:5173/other').verify(apiRequest(tokens.accessToken));
    check('verifier rejects the token for another audience', !wrongAudience.ok && wrongAudience.code === 'invalid-token', wrongAudience);
    check('verifier rejects garbage', !(await verifier.verify(apiRequest('not.a.jwt'))).ok);
    const missing = await verifier.verify(new Request(`${API_AUDIENCE}/v1/items`));
    check('verifier answers a request without a token with a bare 401 challenge', !missing.ok && missing.code === 'missing-token' && missing.challenge.status === 401, missing);
  });

  await section('rotation through the proxy, then reuse detection', async () => {
    const login = await loginWithCodeFlow(server, { username: 'bob' });
    const before = { calls: proxy.refreshCalls, grants: server.stats.refreshGrants };

    const first = tokensOf(await refreshWithToken(server, login.refreshToken, viaProxy));
    const second = tokensOf(await refreshWithToken(server, first.refreshToken, viaProxy));
    check('1st refresh rotates the refresh token', first.refreshToken !== login.refreshToken);
    check('2nd refresh rotates it again', second.refreshToken !== first.refreshToken && second.refreshToken !== login.refreshToken);
    check('refresh responses carry expires_in', first.expiresIn === 20 && second.expiresIn === 20, [first.expiresIn, second.expiresIn]);
    const [v1, v2] = await Promise.all([verifier.verify(apiRequest(first.accessToken)), verifier.verify(apiRequest(second.accessToken))]);
    check('refreshed access tokens are API JWTs without passing resource', v1.ok && v2.ok && v1.sub === 'bob', [v1, v2]);
    check('refreshed access tokens are new (distinct jti)', v1.ok && v2.ok && v1.jti !== v2.jti);
    check('proxy counted 2 refresh calls', proxy.refreshCalls - before.calls === 2, proxy.refreshCalls);
    check('proxy saw each refresh token once', proxy.refreshBodies.slice(-2).join() === [login.refreshToken, first.refreshToken].join());
    check('provider counted 2 refresh grants', server.stats.refreshGrants - before.grants === 2, server.stats);

    const reuse = await refreshWithToken(server, login.refreshToken, viaProxy);
    check('an already-used refresh token gets invalid_grant', isInvalidGrant(reuse), reuse);
    const newest = await refreshWithToken(server, second.refreshToken, viaProxy);
    check('after reuse the newest refresh token is dead too (grant revoked)', isInvalidGrant(newest), newest);
  });

  await section('revokeAllGrants', async () => {
    const carol = await loginWithCodeFlow(server, { username: 'carol' });
    const dave = await loginWithCodeFlow(server, { username: 'dave' });
    const revoked = await server.revokeAllGrants();
    // Alice's grant is still live; Bob's was already revoked by reuse detection.
    check('revokeAllGrants destroys the 3 live grants', revoked === 3, revoked);
    const [c, d] = await Promise.all([
      refreshWithToken(server, carol.refreshToken),
      refreshWithToken(server, dave.refreshToken),
    ]);
    check('every refresh after revokeAllGrants gets invalid_grant', isInvalidGrant(c) && isInvalidGrant(d), [c, d]);
    check('a second revokeAllGrants finds nothing', (await server.revokeAllGrants()) === 0);
    const erin = await loginWithCodeFlow(server, { username: 'erin' });
    check('login still works after revokeAllGrants', (await refreshWithToken(server, erin.refreshToken)).ok);
  });

  await section('proxy faults', async () => {
    let refreshToken = (await loginWithCodeFlow(server, { username: 'frank' })).refreshToken;
    const grantsBefore = server.stats.refreshGrants;

    proxy.failNext(1, '503');
    const unavailable = await fetch(loopbackUrl(viaProxy.tokenEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP_ORIGIN },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: server.clientId, refresh_token: refreshToken }),
    });
    check('503 fault answers 503', unavailable.status === 503, unavailable.status);
    check('503 fault carries access-control-allow-origin', unavailable.headers.get('access-control-allow-origin') === APP_ORIGIN);
    check('503 body is temporarily_unavailable', ((await unavailable.json()) as { error?: string }).error === 'temporarily_unavailable');

    proxy.failNext(1, 'reset');
    const reset = await refreshWithToken(server, refreshToken, viaProxy).then(
      () => 'answered',
      (error: unknown) => String((error as { cause?: unknown }).cause ?? error),
    );
    check('reset fault fails the fetch without an answer', reset !== 'answered', reset);
    check('provider never saw the 503 or the reset call', server.stats.refreshGrants === grantsBefore, server.stats);

    const afterFaults = await refreshWithToken(server, refreshToken, viaProxy);
    check('the refresh token survives 503 and reset (not consumed)', afterFaults.ok, afterFaults);
    refreshToken = tokensOf(afterFaults).refreshToken;

    proxy.failNext(1, 'delay', 400);
    const started = Date.now();
    const delayed = await refreshWithToken(server, refreshToken, viaProxy);
    const elapsed = Date.now() - started;
    check('delay fault answers after at least 400 ms', delayed.ok && elapsed >= 400, { elapsed, delayed });
    refreshToken = tokensOf(delayed).refreshToken;

    proxy.failNext(1, 'lost-response');
    const lost = await refreshWithToken(server, refreshToken, viaProxy).then(() => 'answered', () => 'failed');
    check('lost-response fault fails the fetch', lost === 'failed', lost);
    const retried = await refreshWithToken(server, refreshToken, viaProxy);
    check('after a lost response, retrying the same refresh token is reuse: invalid_grant', isInvalidGrant(retried), retried);

    const calls = proxy.refreshBodies.length;
    check('refreshCalls counts faulted calls too', proxy.refreshCalls === calls && calls >= 9, calls);
    check('no programmed fault left over', proxy.pendingFaults === 0, proxy.pendingFaults);
  });

  await section('CORS for the app origin', async () => {
    for (const [label, endpoint] of [['via proxy', viaProxy.tokenEndpoint], ['direct', server.tokenEndpoint]] as const) {
      const preflight = await fetch(loopbackUrl(endpoint), {
        method: 'OPTIONS',
        headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      check(`preflight ${label} is 2xx`, preflight.ok, preflight.status);
      check(
        `preflight ${label} allows ${APP_ORIGIN}`,
        preflight.headers.get('access-control-allow-origin') === APP_ORIGIN,
        preflight.headers.get('access-control-allow-origin'),
      );
    }

    const { refreshToken } = await loginWithCodeFlow(server, { username: 'grace' });
    const form = { grant_type: 'refresh_token', client_id: server.clientId };
    const foreign = await fetch(loopbackUrl(viaProxy.tokenEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:6666' },
      body: new URLSearchParams({ ...form, refresh_token: refreshToken }),
    });
    check('a POST from another origin is refused', foreign.status === 400, foreign.status);
    check('... without access-control-allow-origin', foreign.headers.get('access-control-allow-origin') === null);

    const own = await fetch(loopbackUrl(viaProxy.tokenEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP_ORIGIN },
      body: new URLSearchParams({ ...form, refresh_token: refreshToken }),
    });
    check('a POST from the app origin succeeds', own.ok, own.status);
    check('... with access-control-allow-origin: app origin', own.headers.get('access-control-allow-origin') === APP_ORIGIN);
  });
} finally {
  await Promise.all([proxy.close(), server.close()]);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
