// Token exposure: by default a page cannot read the token from the worker; `exposeAccessToken: true`
// lets it, for what the worker cannot reach (a WebSocket handshake), fresh and refreshed if needed.
import { expect, pageFetch, signIn, test } from './support/fixtures.js';
import { test as oauthTest } from './support/oauth-fixtures.js';

test('by default the page cannot read the token from the worker', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  expect(await page.evaluate(() => window.harness.getAccessToken())).toMatchObject({ ok: false, name: 'BearerSwError', code: 'not-allowed' });
  // Nor by asking the worker directly, bypassing the page module.
  const raw = await page.evaluate(() => window.harness.postRaw({ v: 1, type: 'get-access-token', id: 'direct' }));
  expect(raw).toMatchObject({ payload: { ok: false, error: { code: 'not-allowed' } } });
  expect(JSON.stringify(raw)).not.toContain(token);
  // The worker itself still has it.
  await pageFetch(page, `${api.origin()}/v1/still`);
  expect(api.requests((r) => r.url === '/v1/still').map((r) => r.token)).toEqual([token]);
});

test('with exposeAccessToken the page reads the token requests carry, and null without a session', async ({ openApp, api, useConfig }) => {
  useConfig({ apis: [{ origin: api.origin(), paths: ['/v1'] }], exposeAccessToken: true });
  const page = await openApp();
  await page.evaluate(() => window.harness.register());
  expect(await page.evaluate(() => window.harness.getAccessToken())).toEqual({ ok: true, token: null });
  const token = await signIn(page);
  expect(await page.evaluate(() => window.harness.getAccessToken())).toEqual({ ok: true, token });
  await pageFetch(page, `${api.origin()}/v1/compare`);
  expect(api.requests((r) => r.url === '/v1/compare').map((r) => r.token)).toEqual([token]);
  await page.evaluate(() => window.harness.logout());
  expect(await page.evaluate(() => window.harness.getAccessToken())).toEqual({ ok: true, token: null });
});

oauthTest('with exposeAccessToken, an expired token is refreshed for the page, once, and requests then use the same one', async ({
  openApp,
  oauth,
  useConfig,
}) => {
  useConfig({ ...oauth.config, exposeAccessToken: true });
  const page = await openApp();
  const tokens = await oauth.signIn(page);
  // Let the access token expire for real.
  await page.waitForTimeout((tokens.expiresIn + 0.5) * 1000);
  const read = (await page.evaluate(() => window.harness.getAccessToken())) as { ok: boolean; token: string | null };
  expect(read.ok).toBe(true);
  expect(read.token).not.toBeNull();
  expect(read.token).not.toBe(tokens.accessToken);
  expect(oauth.proxy.refreshCalls).toBe(1);
  // The API accepts it, and the worker's own requests carry the same token: no second refresh.
  expect(await pageFetch(page, `${oauth.api.origin('api.test')}/v1/after-read`)).toMatchObject({ ok: true, status: 200 });
  expect(oauth.api.requests((r) => r.url === '/v1/after-read').map((r) => [r.token === read.token, r.verification?.ok])).toEqual([[true, true]]);
  expect(oauth.proxy.refreshCalls).toBe(1);
});
