import type { Page } from '@playwright/test';
import { burst, lostEvents } from './support/oauth-fixtures.js';
import { pageFetch } from './support/fixtures.js';
import { expect, register, test } from './support/vendor-fixtures.js';

// stackAuthRefresh against a Stack Auth API speaking its client REST protocol (stack/stack-auth-server.ts),
// and an API of the app's that reads `x-stack-access-token` and verifies it with jose.

const state = (page: Page) => page.evaluate(() => window.harness.state());

test('the access token goes raw in x-stack-access-token and verifies against the project JWKS', async ({ openApp, stackAuth }) => {
  const page = await openApp();
  const session = await stackAuth.signIn(page);
  expect(await pageFetch(page, `${stackAuth.api.origin()}/v1/me`)).toMatchObject({ ok: true, status: 200 });
  const [received] = stackAuth.api.requests();
  expect(received?.tokenHeader).toBe('x-stack-access-token');
  expect(received?.headers['x-stack-access-token']).toBe(session.access_token);
  expect(received?.verification).toMatchObject({ ok: true, sub: 'user-ada@example.com' });
});

test('2 tabs × 20 parallel requests after expiry: one REST refresh with its four headers, never the error-status override', async ({ openApp, stackAuth, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  const session = await stackAuth.signIn(a);
  await register(b);
  await a.waitForTimeout((vendorTokenTtl + 0.5) * 1000);
  const statuses = (await Promise.all([a, b].map((tab) => burst(tab, `${stackAuth.api.origin()}/v1/burst`, 20)))).flat();
  expect(statuses).toEqual(Array(40).fill(200));
  expect(stackAuth.server.refreshCalls).toHaveLength(1);
  const [call] = stackAuth.server.refreshCalls;
  expect(call?.status).toBe(200);
  expect(call?.headers).toMatchObject({
    'x-stack-access-type': 'client',
    'x-stack-project-id': stackAuth.server.projectId,
    'x-stack-publishable-client-key': stackAuth.server.publishableClientKey,
    'x-stack-refresh-token': session.refresh_token,
  });
  expect(call?.headers['x-stack-override-error-status']).toBeUndefined();
  const tokens = new Set(stackAuth.api.requests((r) => r.url.startsWith('/v1/burst')).map((r) => r.token));
  expect(tokens.size).toBe(1);
  expect(tokens.has(session.access_token)).toBe(false);
});

test('no rotation: five expiry cycles from two tabs, every refresh presents the one refresh token the sign-in gave', async ({ openApp, stackAuth, vendorTokenTtl }) => {
  test.setTimeout(120_000);
  const a = await openApp();
  const b = await openApp();
  const session = await stackAuth.signIn(a);
  await register(b);
  for (let cycle = 0; cycle < 5; cycle++) {
    await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
    const url = `${stackAuth.api.origin()}/v1/cycle-${cycle}`;
    const statuses = (await Promise.all([burst(a, url, 5), burst(b, url, 5)])).flat();
    expect(statuses, `cycle ${cycle}`).toEqual(Array(10).fill(200));
  }
  expect(stackAuth.server.refreshCalls.map((c) => [c.status, c.headers['x-stack-refresh-token']])).toEqual(Array(5).fill([200, session.refresh_token]));
  expect(await lostEvents(a)).toEqual([]);
  expect(await lostEvents(b)).toEqual([]);
});

test('503 and a reset connection are transient: the session stays and recovers after the backoff', async ({ openApp, stackAuth, vendorTokenTtl }) => {
  const page = await openApp();
  await stackAuth.signIn(page);
  await page.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  const url = `${stackAuth.api.origin()}/v1/me`;
  for (const [fault, backoffMs] of [[{ status: 503 }, 1000], ['reset', 2000]] as const) {
    stackAuth.server.failNext(1, fault);
    expect(await pageFetch(page, url), `after ${JSON.stringify(fault)}`).toMatchObject({ ok: true, status: 401 });
    expect(await state(page)).toBe('authenticated');
    await page.waitForTimeout(backoffMs + 300);
  }
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 200 });
  expect(stackAuth.server.refreshCalls.map((c) => c.status)).toEqual([503, 0, 200]);
  expect(await lostEvents(page)).toEqual([]);
});

test('REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED: one refresh, session-invalid once in every tab', async ({ openApp, stackAuth, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  await stackAuth.signIn(a);
  await register(b);
  expect(stackAuth.server.revokeAllSessions()).toBe(1);
  await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  const statuses = await burst(b, `${stackAuth.api.origin()}/v1/after-revoke`, 5);
  expect(statuses.every((s) => s === 401)).toBe(true);
  expect(stackAuth.server.refreshCalls.map((c) => [c.status, c.knownError])).toEqual([[401, 'REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED']]);
  for (const tab of [a, b]) {
    await expect.poll(() => lostEvents(tab)).toHaveLength(1);
    expect((await lostEvents(tab))[0]).toMatchObject({ reason: 'refresh-rejected', state: 'unauthenticated' });
  }
});
