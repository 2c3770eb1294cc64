import type { Page } from '@playwright/test';
import { createNonceIssuer } from '../../src/server/index.js';
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
  /** With `dpop`: makes the API's current nonce stale, so its next answer is `use_dpop_nonce` with a new one. */
  rotateApiNonce(): void;
}

interface LoginOptions {
  /** Access-token lifetime at the provider, seconds. */
  accessTokenTtl: number;
  /**
   * DPoP everywhere: the client registered with `dpop_bound_access_tokens` and a nonce required at the
   * token endpoint; the API (bearer-sw/server) accepts DPoP-bound tokens only, with its own nonces;
   * the worker's login has `dpop: true`.
   */
  dpop: boolean;
  /** With `dpop`: the provider has DPoP off, ignores the proofs and issues Bearer tokens. */
  providerIgnoresDpop: boolean;
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
  dpop: [false, { option: true }],
  providerIgnoresDpop: [false, { option: true }],
  world: async ({ app, useConfig, accessTokenTtl, dpop, providerIgnoresDpop }, use) => {
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
    const provider = await startOidcProvider({
      appOrigin: app.origin,
      apiAudience: audience,
      accessTokenTtl,
      redirectUri: `${app.origin}/callback`,
      ...(dpop && (providerIgnoresDpop ? { dpop: false } : { requireDpop: true, dpopNonce: true })),
    });
    // The API's nonces: one per hour, the previous one accepted; a rotation moves its clock two hours on.
    let shift = 0;
    const nonces = createNonceIssuer({ lifetimeSeconds: 3600, now: () => Date.now() / 1000 + shift });
    verifier = createApiVerifier(provider, audience, dpop ? { dpop: { required: true, nonces } } : {});
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
        ...(dpop && { dpop: true }),
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
      rotateApiNonce() {
        shift += 7200;
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
