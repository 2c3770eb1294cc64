import type { Page } from '@playwright/test';
import { burst, lostEvents } from './support/oauth-fixtures.js';
import { pageFetch } from './support/fixtures.js';
import { expect, register, test } from './support/vendor-fixtures.js';

// clerkSessionToken against a Clerk Frontend API on the app's site (stack/clerk-server.ts): the worker
// mints session tokens with Clerk's HttpOnly cookie; no page hands tokens over after sign-in.

const state = (page: Page) => page.evaluate(() => window.harness.state());

test('after sign-in the page hands over only the session id; the first request mints a token with the cookie', async ({ openApp, clerk }) => {
  const page = await openApp();
  const sessionId = await clerk.signIn(page);
  expect(await pageFetch(page, `${clerk.api.origin()}/v1/me`)).toMatchObject({ ok: true, status: 200 });
  expect(clerk.server.tokenCalls).toHaveLength(1);
  const [call] = clerk.server.tokenCalls;
  expect(call).toMatchObject({ sessionId, template: null, withClientCookie: true, status: 200 });
  expect(call?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  const [received] = clerk.api.requests();
  expect(received?.tokenHeader).toBe('authorization');
  expect(received?.verification).toMatchObject({ ok: true, sub: 'user_ada' });
  // The cookie is HttpOnly on the Frontend API's origin: the page cannot read it, and it never
  // reached the API.
  expect(await page.evaluate(() => document.cookie)).toBe('');
  expect(clerk.api.requests().every((r) => r.headers.cookie === undefined)).toBe(true);
});

test('2 tabs × 20 parallel requests after expiry: one mint, 40 × 200', async ({ openApp, clerk, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  await clerk.signIn(a);
  await register(b);
  expect(await pageFetch(a, `${clerk.api.origin()}/v1/first`)).toMatchObject({ ok: true, status: 200 });
  await a.waitForTimeout((vendorTokenTtl + 0.5) * 1000);
  const statuses = (await Promise.all([a, b].map((tab) => burst(tab, `${clerk.api.origin()}/v1/burst`, 20)))).flat();
  expect(statuses).toEqual(Array(40).fill(200));
  expect(clerk.server.tokenCalls.map((c) => c.status)).toEqual([200, 200]);
  expect(clerk.server.tokenCalls.every((c) => c.withClientCookie)).toBe(true);
  const tokens = new Set(clerk.api.requests((r) => r.url.startsWith('/v1/burst')).map((r) => r.token));
  expect(tokens.size).toBe(1);
});

test('a background tab that nobody keeps awake: its request after expiry still gets a fresh token, five times over', async ({ openApp, clerk, vendorTokenTtl }) => {
  test.setTimeout(120_000);
  const background = await openApp();
  const sessionId = await clerk.signIn(background);
  const front = await openApp();
  await register(front);
  // Only the background tab sends requests, and no page runs a timer: the worker mints on demand.
  // (Playwright keeps every page "visible", microsoft/playwright#12099: not focused is as far into
  // the background as a test gets.)
  await front.bringToFront();
  for (let cycle = 0; cycle < 5; cycle++) {
    await front.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
    expect(await pageFetch(background, `${clerk.api.origin()}/v1/poll-${cycle}`), `cycle ${cycle}`).toMatchObject({ ok: true, status: 200 });
  }
  expect(clerk.server.tokenCalls.map((c) => [c.sessionId, c.status])).toEqual(Array(5).fill([sessionId, 200]));
  const jtis = new Set(clerk.api.requests().map((r) => (r.verification?.ok ? r.verification.jti : 'unverified')));
  expect(jtis.size).toBe(5);
  expect(jtis.has('unverified')).toBe(false);
});

test('a JWT template is minted when configured', async ({ openApp, clerk, app }) => {
  const page = await openApp();
  app.setConfig({ apis: [{ origin: clerk.api.origin('api.test'), paths: ['/v1'] }], clerk: { frontendApi: clerk.server.url, template: 'orders-api' } });
  await clerk.signIn(page);
  expect(await pageFetch(page, `${clerk.api.origin()}/v1/orders`)).toMatchObject({ ok: true, status: 200 });
  expect(clerk.server.tokenCalls.map((c) => [c.template, c.status])).toEqual([['orders-api', 200]]);
  expect(clerk.api.requests()[0]?.verification).toMatchObject({ ok: true });
});

test('a 503 from the Frontend API is transient: the session stays, the next mint after the backoff succeeds', async ({ openApp, clerk }) => {
  const page = await openApp();
  await clerk.signIn(page);
  clerk.server.failNext(1, { status: 503 });
  // No token yet and none could be minted: the request goes without one, the API refuses it.
  expect(await pageFetch(page, `${clerk.api.origin()}/v1/me`)).toMatchObject({ ok: true, status: 401 });
  expect(clerk.api.requests()[0]?.token).toBeNull();
  expect(await state(page)).toBe('authenticated');
  await page.waitForTimeout(1300);
  expect(await pageFetch(page, `${clerk.api.origin()}/v1/me`)).toMatchObject({ ok: true, status: 200 });
  expect(clerk.server.tokenCalls.map((c) => c.status)).toEqual([503, 200]);
  expect(await lostEvents(page)).toEqual([]);
});

test('signed out at Clerk (401 from the Frontend API): one mint attempt, session-invalid once in every tab', async ({ openApp, clerk, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  await clerk.signIn(a);
  await register(b);
  expect(await pageFetch(a, `${clerk.api.origin()}/v1/first`)).toMatchObject({ ok: true, status: 200 });
  expect(clerk.server.signOutAll()).toBe(1);
  await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  const statuses = await burst(b, `${clerk.api.origin()}/v1/after-sign-out`, 5);
  expect(statuses.every((s) => s === 401)).toBe(true);
  expect(clerk.server.tokenCalls.map((c) => c.status)).toEqual([200, 401]);
  for (const tab of [a, b]) {
    await expect.poll(() => lostEvents(tab)).toHaveLength(1);
    expect((await lostEvents(tab))[0]).toMatchObject({ reason: 'refresh-rejected', state: 'unauthenticated' });
  }
});

test('a Frontend API on another site than the app gets no cookie: the mint answers 401 and the session ends (hence "on the app\'s site")', async ({ openApp, clerk, app }) => {
  const page = await openApp();
  // The same server, reached as clerk.test: another site than the app's localhost.
  const crossSite = clerk.server.url.replace('localhost', 'clerk.test');
  app.setConfig({ apis: [{ origin: clerk.api.origin('api.test'), paths: ['/v1'] }], clerk: { frontendApi: crossSite } });
  await register(page);
  const signIn = await page.evaluate(
    (url) =>
      window.harness.fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'identifier=ada&password=password',
      }),
    `${crossSite}/v1/client/sign_ins`,
  );
  expect(signIn).toMatchObject({ ok: true, status: 200 });
  const sessionId = (JSON.parse((signIn as { body: string }).body) as { response: { created_session_id: string } }).response.created_session_id;
  expect(await page.evaluate((id) => window.harness.handoff({ refreshToken: id }), sessionId)).toMatchObject({ ok: true });
  expect(await pageFetch(page, `${clerk.api.origin()}/v1/me`)).toMatchObject({ ok: true, status: 401 });
  expect(clerk.server.tokenCalls.map((c) => [c.withClientCookie, c.status])).toEqual([[false, 401]]);
  await expect.poll(() => lostEvents(page)).toHaveLength(1);
});
