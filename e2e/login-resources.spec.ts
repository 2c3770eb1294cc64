// Several APIs, one login in the worker (oidcLogin with rules that name a `resource`): oidc-provider
// with resource indicators, refresh-token rotation and reuse detection; two APIs on two origins, each
// checking (bearer-sw/server through the stack verifier) that a token's `aud` is its own origin. The
// login goes through the provider's own pages. Asserted on what the provider and the APIs received,
// and on what the tabs can read.
import { decodeJwt } from 'jose';
import { createNonceIssuer } from '../src/server/index.js';
import type { ApiVerification } from '../stack/api-verifier.js';
import { createApiVerifier, type ApiVerifier } from '../stack/api-verifier.js';
import { startOidcProvider } from '../stack/provider.js';
import { expect, register, test } from './support/fixtures.js';
import { throughProvider } from './support/login-fixtures.js';
import { burst, lostEvents } from './support/oauth-fixtures.js';
import { startRecordingServer, type ReceivedRequest, type RecordingServer } from './support/recording-server.js';

const TTL = 8;
const PARALLEL = 15;
const CYCLES = 2;

const verificationOf = (r: ReceivedRequest) => r.verification as ApiVerification | null;
const claimsOf = (token: string | null) => decodeJwt(token ?? '') as { aud?: unknown; cnf?: { jkt?: string } };

for (const dpop of [false, true]) {
  test(`oidcLogin with 2 resource rules${dpop ? ', DPoP' : ''}: one grant for both, each API only its own aud, one refresh per resource per cycle on the rotating refresh token, no token in any page`, async ({
    context,
    openApp,
    app,
    useConfig,
  }) => {
    test.setTimeout(180_000);
    const verifiers: ApiVerifier[] = [];
    const apis: RecordingServer[] = [];
    for (let i = 0; i < 2; i++) {
      const index = i;
      apis.push(await startRecordingServer({ requireToken: true, verify: (_token, { message, header }) => verifiers[index]!.verifyIncoming(message, header) }));
    }
    const audiences = apis.map((api) => api.origin('api.test'));
    const provider = await startOidcProvider({
      appOrigin: app.origin,
      // The default resource of authorization requests without one: never asked for here.
      apiAudience: `${app.origin}/unused-api`,
      extraAudiences: audiences,
      accessTokenTtl: TTL,
      redirectUri: `${app.origin}/callback`,
      ...(dpop && { requireDpop: true, dpopNonce: true }),
    });
    const nonces = createNonceIssuer({ lifetimeSeconds: 3600 });
    for (const audience of audiences) verifiers.push(createApiVerifier(provider, audience, dpop ? { dpop: { required: true, nonces } } : {}));
    try {
      useConfig({
        apis: audiences.map((audience) => ({ origin: audience, paths: ['/v1'], resource: audience })),
        refreshLeewaySeconds: 0,
        login: {
          issuer: provider.issuer,
          clientId: provider.clientId,
          redirectUri: `${app.origin}/callback`,
          scope: 'openid offline_access api:read',
          // oidc-provider grants `offline_access` only with consent prompted. No `resource`: the rules name them.
          authorizationParams: { prompt: 'consent' },
          ...(dpop && { dpop: true }),
        },
      });
      const b = await openApp();
      await register(b);
      const a = await openApp();
      await register(a);
      const started = await a.evaluate(() => window.harness.login({}));
      expect(started, JSON.stringify(started)).toMatchObject({ ok: true });
      await a.waitForURL((url) => url.href.startsWith(provider.issuer), { timeout: 15_000 });
      await throughProvider(a, app.origin, 'alice', false);
      await a.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      await register(a);
      await expect.poll(() => b.evaluate(() => window.harness.state()), { timeout: 15_000 }).toBe('authenticated');

      // The authorization request asked for both APIs, one `resource` each (RFC 8707 §2.1); the code
      // exchange named the first (oidc-provider issues a token for one resource only).
      expect(provider.record.authorizationResources).toEqual([audiences]);
      const exchanges = provider.record.tokenRequests.filter((r) => r.grantType === 'authorization_code' && r.status === 200);
      expect(exchanges).toEqual([expect.objectContaining({ resource: audiences[0], origin: app.origin, dpop })]);
      const [login] = provider.record.issued;
      expect(login?.grantType).toBe('authorization_code');
      expect(claimsOf(login?.accessToken ?? null).aud).toBe(audiences[0]);

      const round = async (label: string) => {
        const before = provider.record.refreshes.length;
        const statuses = (await Promise.all([a, b].flatMap((tab) => apis.map((api) => burst(tab, `${api.origin()}/v1/${label}`, PARALLEL))))).flat();
        expect(statuses, label).toEqual(Array(2 * apis.length * PARALLEL).fill(200));
        // One refresh per resource, each naming its resource, none refused.
        const refreshes = provider.record.refreshes.slice(before);
        expect(refreshes.map((r) => r.resource).sort(), label).toEqual([...audiences].sort());
        expect(refreshes.every((r) => r.status === 200), label).toBe(true);
      };
      // The login's own token is not used for a resource rule: each API's token comes lazily.
      await round('first');
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        await a.waitForTimeout((TTL + 0.5) * 1000);
        await round(`cycle-${cycle}`);
      }

      // Serialized on the rotating refresh token: each refresh presented the one the grant before returned.
      const refreshes = provider.record.refreshes;
      expect(refreshes).toHaveLength(apis.length * (CYCLES + 1));
      const issuedRefreshTokens = provider.record.issued.map((t) => t.refreshToken);
      expect(refreshes.map((r) => r.refreshToken)).toEqual(issuedRefreshTokens.slice(0, -1));
      expect(new Set(refreshes.map((r) => r.refreshToken)).size).toBe(refreshes.length);
      expect(provider.stats.refreshGrants).toBe(refreshes.length);
      if (dpop) {
        expect(provider.record.tokenRequests.filter((r) => r.status === 200).every((r) => r.dpop)).toBe(true);
        expect(provider.record.issued.every((t) => t.tokenType === 'DPoP')).toBe(true);
      }
      const jkts = new Set(provider.record.issued.map((t) => claimsOf(t.accessToken).cnf?.jkt));
      expect([...jkts]).toEqual(dpop ? [expect.any(String)] : [undefined]);

      apis.forEach((api, i) => {
        const received = api.requests((r) => r.url.startsWith('/v1/'));
        const accepted = received.filter((r) => verificationOf(r)?.ok === true);
        expect(accepted, `api ${i}`).toHaveLength(2 * PARALLEL * (CYCLES + 1));
        // Every token this API ever received was issued for it, and none came from the code exchange.
        expect(received.every((r) => claimsOf(r.token).aud === audiences[i]), `api ${i}`).toBe(true);
        expect(received.some((r) => r.token === login?.accessToken)).toBe(false);
        if (dpop) {
          // DPoP-bound tokens with a proof each: the only refusals are the API's nonce challenges.
          expect(accepted.every((r) => verificationOf(r)?.ok === true && (verificationOf(r) as { scheme: string }).scheme === 'DPoP')).toBe(true);
          expect(received.filter((r) => verificationOf(r)?.ok !== true).map((r) => (verificationOf(r) as { code: string }).code)).toEqual(
            received.filter((r) => verificationOf(r)?.ok !== true).map(() => 'use-dpop-nonce'),
          );
          expect(new Set(received.map((r) => r.headers['dpop'])).size).toBe(received.length);
        } else {
          expect(received.every((r) => verificationOf(r)?.ok === true)).toBe(true);
        }
      });
      expect(await lostEvents(a)).toEqual([]);
      expect(await lostEvents(b)).toEqual([]);

      // Nothing any tab can read holds a token, the code or the verifier.
      const { issued, codes, verifiers: pkce } = provider.record;
      const secrets = [...issued.flatMap((t) => [t.accessToken, t.refreshToken, t.idToken]), ...codes.map((c) => c.code), ...pkce].filter(
        (value): value is string => typeof value === 'string',
      );
      expect(secrets.length).toBeGreaterThanOrEqual(3 + 2 * refreshes.length);
      for (const tab of context.pages()) {
        const exposed = await tab.evaluate(() => window.harness.exposedText());
        for (const secret of secrets) expect(exposed.includes(secret), `a credential is readable in ${tab.url()}`).toBe(false);
      }
      const cookies = JSON.stringify(await context.cookies(app.origin));
      for (const secret of secrets) expect(cookies.includes(secret)).toBe(false);

      // The grant is still there (reuse detection would have revoked it).
      expect(await provider.revokeAllGrants()).toBe(1);
    } finally {
      await provider.close();
      for (const api of apis) await api.close();
    }
  });
}
