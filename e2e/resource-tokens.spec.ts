import { createApiVerifier, type ApiVerifier } from '../stack/api-verifier.js';
import { loginWithCodeFlow } from '../stack/code-flow.js';
import { startFaultProxy, tokenEndpointVia } from '../stack/fault-proxy.js';
import { startOidcProvider } from '../stack/provider.js';
import { expect, register, test } from './support/fixtures.js';
import { burst, lostEvents } from './support/oauth-fixtures.js';
import { startRecordingServer, type RecordingServer } from './support/recording-server.js';

// Per-API tokens (ApiRule.resource, RFC 8707) against oidc-provider with resource indicators,
// refresh-token rotation and reuse detection: three APIs on three origins, each accepting only a
// JWT whose `aud` is its own origin.

const TTL = 8;

test('3 resources × 30 parallel × 2 tabs, 5 expiry cycles: one refresh per resource per cycle, serialized on the rotating refresh token, no revoked grant, every request with its own API\'s token', async ({
  openApp,
  app,
  useConfig,
}) => {
  test.setTimeout(240_000);
  const verifiers: ApiVerifier[] = [];
  const apis: RecordingServer[] = [];
  for (let i = 0; i < 3; i++) {
    const index = i;
    apis.push(await startRecordingServer({ requireToken: true, verify: (_token, { message, header }) => verifiers[index]!.verifyIncoming(message, header) }));
  }
  const audiences = apis.map((api) => api.origin('api.test'));
  const provider = await startOidcProvider({
    appOrigin: app.origin,
    apiAudience: `${app.origin}/login-api`,
    extraAudiences: audiences,
    accessTokenTtl: TTL,
    redirectUri: `${app.origin}/callback`,
  });
  for (const audience of audiences) verifiers.push(createApiVerifier(provider, audience));
  const proxy = await startFaultProxy(provider.nodeOrigin);
  try {
    useConfig({
      apis: audiences.map((audience) => ({ origin: audience, paths: ['/v1'], resource: audience })),
      oauth2: { tokenEndpoint: tokenEndpointVia(proxy, provider), clientId: provider.clientId },
      refreshLeewaySeconds: 0,
    });
    const tokens = await loginWithCodeFlow(provider, { extraResources: audiences });
    const a = await openApp();
    const b = await openApp();
    await register(a);
    const handed = await a.evaluate((t) => window.harness.handoff(t), { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresIn });
    expect(handed).toMatchObject({ ok: true, state: 'authenticated' });
    await register(b);

    const round = async (label: string) => {
      const before = proxy.refreshCalls;
      const statuses = (
        await Promise.all([a, b].flatMap((tab) => apis.map((api) => burst(tab, `${api.origin()}/v1/${label}`, 30))))
      ).flat();
      expect(statuses, label).toEqual(Array(180).fill(200));
      expect(proxy.refreshResources.slice(before).sort(), label).toEqual([...audiences].sort());
    };
    // The login's token is for another API: the first requests get each resource's token, lazily.
    await round('first');
    for (let cycle = 0; cycle < 5; cycle++) {
      await a.waitForTimeout((TTL + 0.5) * 1000);
      await round(`cycle-${cycle}`);
    }

    expect(proxy.refreshCalls).toBe(18);
    // Serialized: every refresh presented the refresh token the previous one returned, none twice.
    expect(new Set(proxy.refreshBodies).size).toBe(18);
    expect(proxy.refreshBodies[0]).toBe(tokens.refreshToken);
    expect(provider.stats.refreshGrants).toBe(18);
    apis.forEach((api, i) => {
      const received = api.requests((r) => r.url.startsWith('/v1/'));
      expect(received).toHaveLength(360);
      // `aud` checked by the API: a token minted for another resource would have been refused.
      expect(received.every((r) => r.verification?.ok === true), `api ${i}`).toBe(true);
      expect(received.some((r) => r.token === tokens.accessToken)).toBe(false);
    });
    expect(await lostEvents(a)).toEqual([]);
    expect(await lostEvents(b)).toEqual([]);
    // The grant is still there (reuse detection would have revoked it).
    expect(await provider.revokeAllGrants()).toBe(1);
  } finally {
    await proxy.close();
    await provider.close();
    for (const api of apis) await api.close();
  }
});
