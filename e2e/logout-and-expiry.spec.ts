import { expect, hardReload, pageFetch, register, signIn, test } from './support/fixtures.js';

test('logout in one tab ends the session in every tab, controlled or not', async ({ openApp, api, context }) => {
  const a = await openApp();
  const token = await signIn(a);
  const b = await openApp();
  await register(b);
  expect(await b.evaluate(() => window.harness.state())).toBe('authenticated');
  // a third tab, hard-reloaded (uncontrolled) and not registered: hears the worker directly
  const c = await openApp();
  await hardReload(c);
  expect(await c.evaluate(() => navigator.serviceWorker.controller)).toBeNull();

  expect(await a.evaluate(() => window.harness.logout())).toMatchObject({ ok: true, state: 'unauthenticated' });
  await expect.poll(() => b.evaluate(() => window.harness.state())).toBe('unauthenticated');
  expect(await b.evaluate(() => window.harness.events.map((e) => `${e.type}:${e.state}`))).toEqual(['statechange:unauthenticated']);
  expect(await a.evaluate(() => window.harness.events.map((e) => `${e.type}:${e.state}`))).toEqual(['statechange:authenticated', 'statechange:unauthenticated']);
  await expect
    .poll(() => c.evaluate(() => window.harness.rawMessages.filter((m) => (m as { type?: string }).type === 'state')))
    .toEqual([{ v: 1, type: 'state', payload: { state: 'unauthenticated', epoch: 2 } }]);

  await pageFetch(b, `${api.origin()}/v1/after-logout-b`);
  await pageFetch(a, `${api.origin()}/custom/after-logout-a`);
  expect(api.requests((r) => r.url.includes('after-logout')).map((r) => r.token)).toEqual([null, null]);
  expect(api.leaks([token]).map((r) => r.url).filter((u) => u.includes('after-logout'))).toEqual([]);
  expect(context.pages()).toHaveLength(3);
});

test('without refresh, an expired token ends the session: no token sent, session-invalid once per tab', async ({ openApp, api }) => {
  const a = await openApp();
  const token = await signIn(a, { expiresIn: 2 });
  const b = await openApp();
  await register(b);
  await pageFetch(a, `${api.origin()}/v1/before-expiry`);
  expect(api.requests((r) => r.url === '/v1/before-expiry')[0]?.token).toBe(token);

  await a.waitForTimeout(2200);
  await Promise.all([pageFetch(a, `${api.origin()}/v1/after-expiry-1`), pageFetch(b, `${api.origin()}/v1/after-expiry-2`)]);
  await pageFetch(b, `${api.origin()}/v1/after-expiry-3`);
  expect(api.requests((r) => r.url.startsWith('/v1/after-expiry')).map((r) => r.token)).toEqual([null, null, null]);

  for (const tab of [a, b]) {
    await expect.poll(() => tab.evaluate(() => window.harness.events.filter((e) => e.type === 'session-invalid').length)).toBe(1);
    expect(await tab.evaluate(() => window.harness.events.find((e) => e.type === 'session-invalid'))).toMatchObject({
      reason: 'expired',
      state: 'unauthenticated',
    });
    expect(await tab.evaluate(() => window.harness.state())).toBe('unauthenticated');
  }
});
