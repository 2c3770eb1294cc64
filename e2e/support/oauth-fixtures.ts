import type { Page } from '@playwright/test';
import { createApiVerifier, type ApiVerifier } from '../../stack/api-verifier.js';
import { loginWithCodeFlow, type TokenSet } from '../../stack/code-flow.js';
import { startFaultProxy, tokenEndpointVia, type FaultProxy } from '../../stack/fault-proxy.js';
import { startOidcProvider, type OidcServer } from '../../stack/provider.js';
import { expect, register, test as base } from './fixtures.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import type { TestWorkerConfig } from './sw-config.js';

/** A real OpenID Provider behind a fault-injecting proxy, and an API that verifies its JWTs. */
export interface OAuthWorld {
  provider: OidcServer;
  /** In front of the token endpoint: counts refresh calls, injects failures. */
  proxy: FaultProxy;
  /** Answers 401 under /v1 unless the token verifies against the provider's JWKS (jose). */
  api: RecordingServer;
  /** Logs in with authorization code + PKCE over HTTP (the provider's dev login and consent). */
  login(): Promise<TokenSet>;
  /** Registers the worker in `page` and hands it a fresh login's tokens; returns them. */
  signIn(page: Page, tokens?: TokenSet): Promise<TokenSet>;
  /**
   * The worker config this world sets: /v1 on the API, `oauth2Refresh` through the proxy, the
   * `leewaySeconds` option. A test that needs more passes `{ ...oauth.config, … }` to `useConfig`.
   */
  config: TestWorkerConfig;
}

interface OAuthOptions {
  /** Access-token lifetime at the provider, seconds. */
  accessTokenTtl: number;
  /** `refreshLeewaySeconds` of the worker. */
  leewaySeconds: number;
}

export const test = base.extend<OAuthOptions & { oauth: OAuthWorld }>({
  accessTokenTtl: [4, { option: true }],
  leewaySeconds: [1, { option: true }],
  oauth: async ({ app, useConfig, accessTokenTtl, leewaySeconds }, use) => {
    let verifier: ApiVerifier | null = null;
    // The API's audience is its own origin, and it verifies with the provider's keys: bind late.
    const api = await startRecordingServer({
      requireToken: true,
      verify: (_token, { message, header }) => (verifier === null ? Promise.resolve({ ok: false as const, error: 'no verifier' }) : verifier.verifyIncoming(message, header)),
    });
    const audience = api.origin('api.test');
    const provider = await startOidcProvider({ appOrigin: app.origin, apiAudience: audience, accessTokenTtl, redirectUri: `${app.origin}/callback` });
    verifier = createApiVerifier(provider, audience);
    const proxy = await startFaultProxy(provider.nodeOrigin);
    const config: TestWorkerConfig = {
      apis: [{ origin: audience, paths: ['/v1'] }],
      oauth2: { tokenEndpoint: tokenEndpointVia(proxy, provider), clientId: provider.clientId },
      refreshLeewaySeconds: leewaySeconds,
    };
    useConfig(config);
    const login = () => loginWithCodeFlow(provider);
    await use({
      config,
      provider,
      proxy,
      api,
      login,
      async signIn(page, given) {
        const tokens = given ?? (await login());
        await register(page);
        const result = await page.evaluate((t) => window.harness.handoff(t), {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresIn: tokens.expiresIn,
        });
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'authenticated' });
        return tokens;
      },
    });
    await proxy.close();
    await provider.close();
    await api.close();
  },
});

/** Fires `count` parallel fetches from a page; returns their statuses. */
export async function burst(page: Page, url: string, count: number): Promise<number[]> {
  const outcomes = await page.evaluate(([u, n]) => window.harness.fetchMany(Array.from({ length: n }, (_, i) => `${u}?i=${i}`)), [url, count] as const);
  return outcomes.map((o) => (o.ok ? o.status : -1));
}

/** The `session-invalid` events a page has seen. */
export function lostEvents(page: Page) {
  return page.evaluate(() => window.harness.events.filter((e) => e.type === 'session-invalid'));
}

export { expect, register };
