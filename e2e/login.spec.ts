// The worker runs the login (oidcLogin): authorization code + PKCE against a real oidc-provider,
// driven through its own login and consent pages. Asserted on what the provider issued and
// received, what the API received, and what each tab can see.
import type { Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { openAppIn, pageFetch as fetchStep, stopAllWorkers, withPersistentProfile } from './support/fixtures.js';
import { eventsOf, expect, register, test, throughProvider, type LoginWorld } from './support/login-fixtures.js';

/** `fetch()` from the page: status and body, or `status: -1` when it failed. */
async function pageFetch(page: Page, url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const outcome = await fetchStep(page, url, init);
  return outcome.ok ? { status: outcome.status, body: outcome.body } : { status: -1, body: outcome.message };
}

test.describe('login in the worker', () => {
  test('login from tab A: tab B follows, the API sees the token, and no tab ever holds a credential', async ({ context, openApp, world, app }) => {
    const committed: string[] = [];
    const watch = (page: Page) =>
      page.on('framenavigated', (frame) => frame === page.mainFrame() && committed.push(frame.url()));
    const b = await openApp();
    watch(b);
    await register(b);
    const a = await openApp(undefined, '?tab=a');
    watch(a);
    await register(a);
    expect(await b.evaluate(() => [window.harness.state(), window.harness.user()])).toEqual(['unauthenticated', null]);

    await world.logIn(a, { username: 'alice' });

    // Tab A landed on its returnTo (the URL it started from), signed in, with the user's claims.
    expect(a.url()).toBe(`${app.origin}/?tab=a`);
    expect(await a.evaluate(() => window.harness.state())).toBe('authenticated');
    const user = await a.evaluate(() => window.harness.user());
    expect(user).toMatchObject({ sub: 'alice', name: 'User alice', email: 'alice@example.test', iss: world.provider.issuer, aud: world.provider.clientId });
    for (const claim of ['nonce', 'at_hash', 'sid']) expect(user, claim).not.toHaveProperty(claim);
    // Tab B followed without reloading: statechange with the user.
    await expect.poll(() => b.evaluate(() => [window.harness.state(), window.harness.user()?.sub])).toEqual(['authenticated', 'alice']);
    expect(await eventsOf(b, 'statechange')).toEqual([expect.objectContaining({ state: 'authenticated', user: 'alice' })]);

    // The provider: one authorization request with PKCE S256, state and nonce; one code exchange from the app's origin.
    const [authorization] = world.provider.record.authorizations;
    expect(authorization).toMatchObject({ code_challenge_method: 'S256', response_type: 'code', client_id: world.provider.clientId, redirect_uri: `${app.origin}/callback` });
    expect(authorization?.state?.length).toBeGreaterThanOrEqual(20);
    expect(authorization?.nonce?.length).toBeGreaterThanOrEqual(20);
    expect(world.provider.record.tokenRequests).toEqual([{ grantType: 'authorization_code', origin: app.origin, status: 200, dpop: false }]);
    const [issued] = world.provider.record.issued;

    // The API on another origin sees the provider's access token, from either tab.
    for (const [tab, path] of [[a, '/v1/from-a'], [b, '/v1/from-b']] as const) {
      expect((await pageFetch(tab, `${world.audience}${path}`)).status).toBe(200);
    }
    const seen = world.api.requests((r) => r.url.startsWith('/v1/from-'));
    expect(seen.map((r) => r.token)).toEqual([issued?.accessToken, issued?.accessToken]);
    expect(seen.every((r) => r.verification?.ok === true)).toBe(true);

    // Nothing any tab can read holds a token, the code or the verifier.
    const secrets = world.secrets();
    expect(secrets.length).toBeGreaterThanOrEqual(5); // access, refresh, ID token, code, verifier
    for (const tab of context.pages()) {
      const exposed = await tab.evaluate(() => window.harness.exposedText());
      for (const secret of secrets) expect(exposed.includes(secret), `a credential is readable in ${tab.url()}`).toBe(false);
    }
    const cookies = JSON.stringify(await context.cookies(app.origin));
    for (const secret of secrets) expect(cookies.includes(secret)).toBe(false);
    // No document ever committed with the code or state in its URL (the worker answered with a redirect).
    expect(committed.filter((url) => url.startsWith(app.origin) && /[?&](code|state)=/.test(url))).toEqual([]);
    expect(committed.filter((url) => url.startsWith(`${app.origin}/callback`))).toEqual([]);
  });

  test('a page script is refused at the token and revocation endpoints; other requests to the server pass', async ({ openApp, world }) => {
    const page = await openApp();
    await register(page);
    await world.logIn(page);
    const before = world.provider.record.tokenRequests.length;
    const [{ code } = { code: 'x' }] = world.provider.record.codes;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const token = await pageFetch(page, world.provider.tokenEndpoint, {
      method: 'POST',
      headers: form,
      body: `grant_type=authorization_code&client_id=${world.provider.clientId}&code=${code}&code_verifier=${'v'.repeat(43)}`,
    });
    expect(token.status).toBe(403);
    expect(JSON.parse(token.body)).toMatchObject({ error: 'not-allowed' });
    const revoke = await pageFetch(page, world.provider.revocationEndpoint, { method: 'POST', headers: form, body: 'token=anything' });
    expect(revoke.status).toBe(403);
    // A no-cors POST (a response the page could not read anyway) does not reach the provider either.
    await pageFetch(page, world.provider.tokenEndpoint, { method: 'POST', mode: 'no-cors', body: `grant_type=authorization_code&code=${code}` });
    // Neither reached the provider.
    expect(world.provider.record.tokenRequests.length).toBe(before);
    expect(world.provider.record.revocations).toEqual([]);
    // Discovery, say, is not the token endpoint: it goes through.
    expect((await pageFetch(page, `${world.provider.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });

  test('two logins in flight from two tabs: each lands signed in, the later one is the session', async ({ openApp, world, app }) => {
    const a = await openApp(undefined, '?tab=a');
    await register(a);
    const b = await openApp(undefined, '?tab=b');
    await register(b);
    for (const tab of [a, b]) {
      await tab.evaluate(() => window.harness.login());
      await tab.waitForURL((url) => url.href.startsWith(world.provider.issuer));
    }
    expect(world.provider.record.authorizations).toHaveLength(2);
    // B finishes first, then A (whose login page was open all along).
    for (const [tab, username] of [[b, 'bob'], [a, 'alice']] as const) {
      await throughProvider(tab, app.origin, username, false);
      await tab.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      await register(tab);
    }
    expect(a.url()).toBe(`${app.origin}/?tab=a`);
    expect(b.url()).toBe(`${app.origin}/?tab=b`);
    expect(world.provider.record.tokenRequests.map((r) => r.status)).toEqual([200, 200]);
    for (const tab of [a, b]) await expect.poll(() => tab.evaluate(() => window.harness.user()?.sub)).toBe('alice');
    for (const tab of [a, b]) expect(await eventsOf(tab, 'login-failed')).toEqual([]);
  });

  test('a 401 from the API: one refresh at the discovered token endpoint and one retry', async ({ openApp, world }) => {
    const page = await openApp();
    await register(page);
    await world.logIn(page);
    const [first] = world.provider.record.issued;
    world.rejectAtApi(first!.accessToken);
    expect((await pageFetch(page, `${world.audience}/v1/retried`, { method: 'POST', body: 'payload' })).status).toBe(200);
    const attempts = world.api.requests((r) => r.url === '/v1/retried');
    expect(attempts.map((r) => r.token)).toEqual([first!.accessToken, world.provider.record.issued[1]?.accessToken]);
    expect(attempts.map((r) => r.body)).toEqual(['payload', 'payload']);
    expect(world.provider.record.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code', 'refresh_token']);
  });

  test('handoff is refused while the worker runs the login; a returnTo on another origin is refused', async ({ openApp, world }) => {
    const page = await openApp();
    await register(page);
    const result = await page.evaluate(() => window.harness.handoff({ accessToken: 'planted-token' }));
    expect(result).toMatchObject({ ok: false, code: 'not-allowed' });
    expect(await page.evaluate(() => window.harness.state())).toBe('unauthenticated');
    for (const returnTo of ['https://evil.test/', '//evil.test/path']) {
      const login = await page.evaluate((r) => window.harness.loginNow({ returnTo: r }), returnTo);
      expect(login).toMatchObject({ ok: false, name: 'TypeError', message: "Failed to log in: returnTo must be on this app's origin" });
    }
    expect(world.provider.record.authorizations).toEqual([]);
    expect(page.url()).toMatch(/^http:\/\/localhost:\d+\/$/);
  });
});

test('a redirectUri outside the worker\'s scope stops the worker at install', async ({ openApp, world, useConfig }) => {
  useConfig({ ...world.config, login: { ...world.config.login!, redirectUri: 'http://127.0.0.1:9/callback' } });
  const page = await openApp();
  const result = await page.evaluate(() => window.harness.register({ timeout: 5_000 }));
  expect(result).toMatchObject({ ok: false, code: 'registration-failed' });
});

test.describe('failed logins end in login-failed, with no session', () => {
  async function expectFailed(page: Page, code: string, world: LoginWorld) {
    await expect.poll(() => eventsOf(page, 'login-failed')).toEqual([expect.objectContaining({ code, state: 'unauthenticated' })]);
    const [event] = await eventsOf(page, 'login-failed');
    expect(event?.message).toMatch(/^Failed to log in: /);
    for (const secret of world.secrets()) expect(event?.message?.includes(secret)).toBe(false);
    expect(await page.evaluate(() => [window.harness.state(), window.harness.user()])).toEqual(['unauthenticated', null]);
    const path = `/v1/after-failure-${Math.random().toString(36).slice(2)}`;
    expect((await pageFetch(page, `${world.audience}${path}`)).status).toBe(401);
    expect(world.api.requests((r) => r.url === path).map((r) => r.token)).toEqual([null]);
  }

  test('a response nobody started, and one with a forged state', async ({ openApp, world, app }) => {
    const page = await openApp();
    await register(page);
    for (const query of ['code=made-up', `code=made-up&state=forged-state&iss=${encodeURIComponent(world.provider.issuer)}`]) {
      await page.goto(`${app.origin}/callback?${query}`);
      expect(page.url()).toBe(`${app.origin}/`);
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      await register(page);
      await expectFailed(page, 'login-state-invalid', world);
    }
    expect(world.provider.record.tokenRequests).toEqual([]);
  });

  test('a reused state: the callback of a finished login, replayed', async ({ openApp, world, app }) => {
    const page = await openApp();
    await register(page);
    let callback: string | null = null;
    page.on('request', (request) => {
      if (request.url().startsWith(`${app.origin}/callback?`)) callback ??= request.url();
    });
    await world.logIn(page);
    expect(callback).toContain('code=');
    expect((await page.evaluate(() => window.harness.logout())).ok).toBe(true);
    await page.goto(callback!);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await register(page);
    await expectFailed(page, 'login-state-invalid', world);
    // The code was redeemed once, by the worker's own login.
    expect(world.provider.record.tokenRequests.filter((r) => r.grantType === 'authorization_code')).toHaveLength(1);
  });

  test('access_denied: the user cancels at the provider', async ({ openApp, world }) => {
    const page = await openApp();
    await register(page);
    await world.logIn(page, { cancel: true });
    await expectFailed(page, 'login-denied', world);
    expect((await eventsOf(page, 'login-failed'))[0]?.message).toContain('access_denied');
    expect(world.provider.record.tokenRequests).toEqual([]);
  });

  test.describe('the worker stopped between the redirect and the tab asking (the news kept in IndexedDB)', () => {
    /** The tab's login-failed events once it has registered, a task later (when the event would have been dispatched). */
    async function failedAfterRegister(page: Page) {
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      await register(page);
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      return eventsOf(page, 'login-failed');
    }

    test('access_denied: the landing tab hears it after the stop, once; a reload and a second tab hear nothing', async ({ context, openApp, world, app }) => {
      const page = await openApp();
      await register(page);
      // Back on the app, but not registered yet: nothing has asked the worker for the news.
      await world.logIn(page, { cancel: true, register: false });
      expect(page.url()).toBe(`${app.origin}/`);
      await stopAllWorkers(context);
      await register(page);
      await expectFailed(page, 'login-denied', world);
      expect((await eventsOf(page, 'login-failed'))[0]?.message).toContain('access_denied');

      await page.reload();
      expect(await failedAfterRegister(page)).toEqual([]);
      const second = await openApp();
      expect(await failedAfterRegister(second)).toEqual([]);
      // Nor after another stop: it left the database when it was told.
      await stopAllWorkers(context);
      const third = await openApp();
      expect(await failedAfterRegister(third)).toEqual([]);
      expect(world.provider.record.tokenRequests).toEqual([]);
    });

    test('a forged state: the tab that landed hears login-state-invalid after the stop, a second tab nothing', async ({ context, openApp, world, app }) => {
      const page = await openApp();
      await register(page);
      await page.goto(`${app.origin}/callback?code=made-up&state=forged-state&iss=${encodeURIComponent(world.provider.issuer)}`);
      expect(page.url()).toBe(`${app.origin}/`);
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      await stopAllWorkers(context);
      await register(page);
      await expectFailed(page, 'login-state-invalid', world);
      await page.reload();
      expect(await failedAfterRegister(page)).toEqual([]);
      const second = await openApp();
      expect(await failedAfterRegister(second)).toEqual([]);
      expect(world.provider.record.tokenRequests).toEqual([]);
    });

    test('told from memory (no stop), it is not told again after a stop', async ({ context, openApp, world }) => {
      const page = await openApp();
      await register(page);
      await world.logIn(page, { cancel: true });
      await expectFailed(page, 'login-denied', world);
      await stopAllWorkers(context);
      await page.reload();
      expect(await failedAfterRegister(page)).toEqual([]);
      const second = await openApp();
      expect(await failedAfterRegister(second)).toEqual([]);
    });
  });

  for (const [what, tamper] of [
    ['wrong nonce', (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-the-nonce-the-worker-sent' })],
    ['wrong audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-client' })],
    ['wrong issuer', (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://another-issuer.example' })],
    ['expired', (claims: Record<string, unknown>) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 })],
  ] as const) {
    test(`an ID token with a valid signature and a ${what}`, async ({ openApp, world }) => {
      world.provider.tamperIdTokens(tamper);
      const page = await openApp();
      await register(page);
      await world.logIn(page);
      await expectFailed(page, 'login-id-token-invalid', world);
      // The exchange itself happened and succeeded at the provider; the worker refused its result.
      expect(world.provider.record.tokenRequests).toEqual([expect.objectContaining({ grantType: 'authorization_code', status: 200 })]);
    });
  }

  test('an ID token with the right claims signed by a key the provider does not publish (checked by jose)', async ({ openApp, world }) => {
    world.provider.tamperIdTokens((claims) => claims, { foreignKey: true });
    const page = await openApp();
    await register(page);
    await world.logIn(page);
    await expectFailed(page, 'login-id-token-invalid', world);
    expect((await eventsOf(page, 'login-failed'))[0]?.message).toContain("signature does not verify against the server's keys");
  });

  test("discovery that names another issuer: session.login() rejects with login-unavailable", async ({ openApp, world, useConfig }) => {
    // The provider at 127.0.0.1 serves a discovery document whose issuer is http://localhost:<port>.
    useConfig({ ...world.config, login: { ...world.config.login!, issuer: world.provider.nodeOrigin } });
    const page = await openApp();
    await register(page);
    const result = await page.evaluate(() => window.harness.loginNow());
    expect(result).toMatchObject({ ok: false, code: 'login-unavailable', message: expect.stringMatching(/^Failed to discover the authorization server .*issuer/) });
    expect(world.provider.record.authorizations).toEqual([]);
  });
});

test('a login database of the previous release is used as it is (still version 1, so a rolled-back worker opens it too): the login it holds completes', async ({ openApp, world, app }) => {
  // Before any worker: version 1 as the previous release made it, holding a login in flight.
  const page = await openApp();
  const verifier = randomBytes(32).toString('base64url');
  const pending = { kind: 'login', key: randomBytes(16).toString('base64url'), verifier, nonce: randomBytes(16).toString('base64url'), returnTo: `${app.origin}/?from=v1` };
  await page.evaluate(
    (record) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('bearer-sw-login', 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('pending');
          open.result.createObjectStore('discovery');
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('pending', 'readwrite');
          tx.objectStore('pending').put({ ...record, createdAt: Date.now() }, record.key);
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    pending,
  );
  await register(page);
  // The authorization request that login's worker sent, by hand: its state, nonce and challenge.
  const authorize = new URL(world.provider.authorizationEndpoint);
  const { login } = world.config;
  for (const [key, value] of Object.entries({
    ...login!.authorizationParams,
    client_id: world.provider.clientId,
    redirect_uri: `${app.origin}/callback`,
    response_type: 'code',
    scope: login!.scope!,
    state: pending.key,
    nonce: pending.nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(key, value);
  }
  await page.goto(authorize.href);
  await throughProvider(page, app.origin, 'upgraded', false);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  expect(page.url()).toBe(`${app.origin}/?from=v1`);
  await register(page);
  expect(await page.evaluate(() => [window.harness.state(), window.harness.user()?.sub])).toEqual(['authenticated', 'upgraded']);
  expect(world.provider.record.verifiers).toEqual([verifier]);
  const stores = await page.evaluate(
    () =>
      new Promise<{ version: number; names: string[] }>((resolve, reject) => {
        const open = indexedDB.open('bearer-sw-login');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const { version, objectStoreNames } = open.result;
          open.result.close();
          resolve({ version, names: [...objectStoreNames].sort() });
        };
      }),
  );
  expect(stores).toEqual({ version: 1, names: ['discovery', 'pending'] });
});

test.describe('logout with the worker login', () => {
  test('revokes the refresh token at the provider and ends the session there (RP-initiated logout), in every tab', async ({ openApp, world, app }) => {
    const a = await openApp();
    await register(a);
    const b = await openApp();
    await register(b);
    await world.logIn(a);
    await expect.poll(() => b.evaluate(() => window.harness.state())).toBe('authenticated');
    const [issued] = world.provider.record.issued;
    expect(await world.provider.isRefreshTokenValid(issued!.refreshToken!)).toBe(true);

    await a.evaluate(() => window.harness.logout({ endSession: true }));
    // The tab goes to the provider's logout confirmation, then back to the post-logout URI.
    await a.waitForURL((url) => url.href.startsWith(world.provider.issuer), { timeout: 15_000 });
    await a.locator('button[type="submit"][name="logout"], button[type="submit"]').first().click();
    await a.waitForURL(`${app.origin}/`, { timeout: 15_000 });

    expect(world.provider.record.revocations).toEqual([{ token: issued!.refreshToken, status: 200 }]);
    expect(await world.provider.isRefreshTokenValid(issued!.refreshToken!)).toBe(false);
    expect(world.provider.record.endSessions).toEqual([
      expect.objectContaining({ id_token_hint: issued!.idToken, post_logout_redirect_uri: `${app.origin}/`, client_id: world.provider.clientId }),
    ]);
    await expect.poll(() => b.evaluate(() => [window.harness.state(), window.harness.user()])).toEqual(['unauthenticated', null]);
    await a.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await register(a);
    expect(await a.evaluate(() => window.harness.state())).toBe('unauthenticated');
    for (const tab of [a, b]) {
      const exposed = await tab.evaluate(() => window.harness.exposedText());
      for (const secret of world.secrets()) expect(exposed.includes(secret)).toBe(false);
    }
  });
});

test('the session and its user survive a browser restart', async ({ app, world }) => {
  await withPersistentProfile(async (launch) => {
    let context = await launch();
    const page = await openAppIn(context, app.origin);
    await register(page);
    await world.logIn(page, { username: 'restarted' });
    const [issued] = world.provider.record.issued;
    await context.close();

    context = await launch();
    const restarted = await openAppIn(context, app.origin);
    await register(restarted);
    expect(await restarted.evaluate(() => [window.harness.state(), window.harness.user()?.sub])).toEqual(['authenticated', 'restarted']);
    expect((await pageFetch(restarted, `${world.audience}/v1/after-restart`)).status).toBe(200);
    expect(world.api.requests((r) => r.url === '/v1/after-restart').map((r) => r.token)).toEqual([issued?.accessToken]);
    await stopAllWorkers(context);
    await context.close();
  });
});

test.describe('what worked keeps working with the worker login', () => {
  test.use({ accessTokenTtl: 4 });

  test('refresh on expiry, the user kept; tokens survive a worker stop; a revoked grant ends the session in every tab', async ({ context, openApp, world }) => {
    const a = await openApp();
    await register(a);
    const b = await openApp();
    await register(b);
    await world.logIn(a);
    const [first] = world.provider.record.issued;
    await a.waitForTimeout(4_500); // past the access token's expiry
    expect((await pageFetch(a, `${world.audience}/v1/after-expiry`)).status).toBe(200);
    expect(world.provider.stats.refreshGrants).toBe(1);
    const [after] = world.api.requests((r) => r.url === '/v1/after-expiry');
    expect(after?.token).not.toBe(first?.accessToken);
    expect(after?.token).toBe(world.provider.record.issued[1]?.accessToken);
    expect(await b.evaluate(() => window.harness.user()?.sub)).toBe('alice');

    await stopAllWorkers(context);
    expect((await pageFetch(b, `${world.audience}/v1/after-stop`)).status).toBe(200);

    await world.provider.revokeAllGrants();
    await a.waitForTimeout(4_500);
    await pageFetch(a, `${world.audience}/v1/after-revoke`);
    for (const tab of [a, b]) {
      await expect.poll(() => eventsOf(tab, 'session-invalid')).toEqual([expect.objectContaining({ reason: 'refresh-rejected' })]);
      expect(await tab.evaluate(() => window.harness.user())).toBeNull();
    }
  });
});
