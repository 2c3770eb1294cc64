import { burst, expect, lostEvents, register, test } from './support/oauth-fixtures.js';

test.describe(() => {
  // The refreshed token must outlive the burst itself (on a loaded machine 90 requests can take
  // seconds); a second refresh inside the burst would then be correct, not a race.
  test.use({ accessTokenTtl: 6, leewaySeconds: 0 });

test('3 tabs × 30 parallel fetches on an expired token: exactly 1 refresh call and 90 × 200', async ({ openApp, oauth }) => {
  const tabs = [await openApp(), await openApp(), await openApp()];
  const tokens = await oauth.signIn(tabs[0]!);
  for (const tab of tabs.slice(1)) await register(tab);
  // let the access token expire for real: the API refuses it from now on
  await tabs[0]!.waitForTimeout((tokens.expiresIn + 0.5) * 1000);
  const url = `${oauth.api.origin()}/v1/burst`;
  const started = Date.now();
  const statuses = (await Promise.all(tabs.map((tab) => burst(tab, url, 30)))).flat();
  const took = Date.now() - started;
  expect(statuses).toEqual(Array(90).fill(200));
  expect(oauth.proxy.refreshCalls, `the burst took ${took} ms`).toBe(1);
  const received = oauth.api.requests((r) => r.url.startsWith('/v1/burst'));
  expect(received).toHaveLength(90);
  const jtis = new Set(received.map((r) => (r.verification?.ok ? r.verification.jti : 'unverified')));
  expect(jtis.size).toBe(1); // every request went out with the one refreshed token
  expect(received[0]?.token).not.toBe(tokens.accessToken);
});
});

test('five expiry cycles with traffic from two tabs: one refresh each, no refresh token sent twice, no revoked grant', async ({ openApp, oauth }) => {
  const a = await openApp();
  const b = await openApp();
  const tokens = await oauth.signIn(a);
  await register(b);
  for (let cycle = 0; cycle < 5; cycle++) {
    await a.waitForTimeout((tokens.expiresIn + 0.3) * 1000);
    const url = `${oauth.api.origin()}/v1/cycle-${cycle}`;
    const statuses = (await Promise.all([burst(a, url, 5), burst(b, url, 5)])).flat();
    expect(statuses, `cycle ${cycle}`).toEqual(Array(10).fill(200));
  }
  expect(oauth.proxy.refreshCalls).toBe(5);
  expect(new Set(oauth.proxy.refreshBodies).size).toBe(5);
  expect(oauth.proxy.refreshBodies[0]).toBe(tokens.refreshToken);
  expect(await lostEvents(a)).toEqual([]);
  expect(await lostEvents(b)).toEqual([]);
  expect(await a.evaluate(() => window.harness.state())).toBe('authenticated');
});
