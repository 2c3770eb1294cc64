import type { Page } from '@playwright/test';
import { createApiVerifier, type ApiVerifier } from '../../stack/api-verifier.js';
import { startOidcProvider, type OidcServer } from '../../stack/provider.js';
import { expect, register, test as base } from './fixtures.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import type { TestWorkerConfig } from './sw-config.js';

/** A real OpenID Provider, an API on another origin verifying its JWTs, and a worker that runs the login. */
export interface LoginWorld {
  provider: OidcServer;
  /** Answers 401 under /v1 unless the token verifies against the provider's JWKS (jose). */
  api: RecordingServer;
  /** The API's origin (`http://api.test:<port>`), also the access tokens' audience. */
  audience: string;
  /** The worker config: the allowlist and `login` (oidcLogin) for this provider. */
  config: TestWorkerConfig;
  /**
   * Starts `session.login()` in a registered tab and goes through the provider's own login and
   * consent pages as a person would, until the tab is back on the app; registers it again there.
   * `cancel`: click the provider's Cancel link instead (`access_denied`).
   */
  logIn(page: Page, options?: { username?: string; returnTo?: string; cancel?: boolean; register?: boolean }): Promise<void>;
  /** The access, refresh and ID tokens, codes and verifiers the provider issued or received so far. */
  secrets(): string[];
  /** From now on the API answers 401 to this (still valid) access token, as after a revocation it learnt of. */
  rejectAtApi(accessToken: string): void;
}

interface LoginOptions {
  /** Access-token lifetime at the provider, seconds. */
  accessTokenTtl: number;
}

/** Submits the provider's development interaction forms until the tab is back on `appOrigin`. */
async function throughProvider(page: Page, appOrigin: string, username: string, cancel: boolean): Promise<void> {
  for (let step = 0; step < 8; step += 1) {
    await page.waitForLoadState('load');
    if (page.url().startsWith(appOrigin)) return;
    const login = page.locator('input[name="login"]');
    const submit = page.locator('button[type="submit"]').first();
    await submit.waitFor({ timeout: 15_000 });
    const before = page.url();
    if (cancel) {
      await page.getByText('[ Cancel ]').click();
    } else if (await login.count()) {
      await login.fill(username);
      await page.locator('input[name="password"]').fill('any password');
      await submit.click();
    } else {
      await submit.click(); // consent: Continue; logout confirmation: Yes
    }
    await page.waitForURL((url) => url.href !== before, { timeout: 15_000 });
  }
  throw new Error(`Failed to get through the provider: still at ${page.url()}`);
}

export const test = base.extend<LoginOptions & { world: LoginWorld }>({
  accessTokenTtl: [60, { option: true }],
  world: async ({ app, useConfig, accessTokenTtl }, use) => {
    let verifier: ApiVerifier | null = null;
    const rejected = new Set<string>();
    const api = await startRecordingServer({
      requireToken: true,
      verify: (token, { message, header }) =>
        verifier === null || rejected.has(token)
          ? Promise.resolve({ ok: false as const, error: 'rejected by the test' })
          : verifier.verifyIncoming(message, header),
    });
    const audience = api.origin('api.test');
    const provider = await startOidcProvider({ appOrigin: app.origin, apiAudience: audience, accessTokenTtl, redirectUri: `${app.origin}/callback` });
    verifier = createApiVerifier(provider, audience);
    const config: TestWorkerConfig = {
      apis: [{ origin: audience, paths: ['/v1'] }],
      refreshLeewaySeconds: 1,
      login: {
        issuer: provider.issuer,
        clientId: provider.clientId,
        redirectUri: `${app.origin}/callback`,
        scope: 'openid offline_access profile email api:read',
        // oidc-provider grants `offline_access` only with consent prompted; the API is the resource.
        authorizationParams: { resource: audience, prompt: 'consent' },
      },
    };
    useConfig(config);
    await use({
      provider,
      api,
      audience,
      config,
      async logIn(page, options = {}) {
        const result = await page.evaluate((o) => window.harness.login(o), options.returnTo === undefined ? {} : { returnTo: options.returnTo });
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
        await page.waitForURL((url) => url.href.startsWith(provider.issuer), { timeout: 15_000 });
        await throughProvider(page, app.origin, options.username ?? 'alice', options.cancel === true);
        await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
        if (options.register !== false) await register(page);
      },
      rejectAtApi(accessToken) {
        rejected.add(accessToken);
      },
      secrets() {
        const { issued, codes, verifiers } = provider.record;
        return [
          ...issued.flatMap((t) => [t.accessToken, t.refreshToken, t.idToken]),
          ...codes.map((c) => c.code),
          ...verifiers,
        ].filter((value): value is string => typeof value === 'string');
      },
    });
    await provider.close();
    await api.close();
  },
});

/** Pages' events of one type. */
export function eventsOf(page: Page, type: string) {
  return page.evaluate((t) => window.harness.events.filter((e) => e.type === t), type);
}

export { expect, register, throughProvider };
