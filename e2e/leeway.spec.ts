// The leeway is at most half the token's lifetime: with 15 s access tokens from the real provider
// and the default 30 s leeway, a request every half second for a minute refreshes once per ~7.5 s,
// not on every request (which it did before: 5 calls, 5 refreshes).
import type { BrowserContext } from '@playwright/test';
import { tokenEndpointVia } from '../stack/fault-proxy.js';
import { pageFetch } from './support/fixtures.js';
import { expect, test } from './support/oauth-fixtures.js';

test.use({ accessTokenTtl: 15 });

function workerConsole(context: BrowserContext): string[] {
  const lines: string[] = [];
  const watch = (worker: { on(event: 'console', listener: (m: { text(): string }) => void): unknown }) =>
    worker.on('console', (message) => lines.push(message.text()));
  context.serviceWorkers().forEach(watch);
  context.on('serviceworker', watch);
  return lines;
}

test('15 s tokens, default leeway: sequential traffic over a minute refreshes at most once per ~7 s', async ({ context, openApp, oauth, useConfig }) => {
  test.setTimeout(150_000);
  const api = oauth.api.origin('api.test');
  // No refreshLeewaySeconds: the default (30 s), twice the tokens' lifetime.
  useConfig({
    apis: [{ origin: api, paths: ['/v1'] }],
    oauth2: { tokenEndpoint: tokenEndpointVia(oauth.proxy, oauth.provider), clientId: oauth.provider.clientId },
  });
  const lines = workerConsole(context);
  const page = await openApp();
  const tokens = await oauth.signIn(page);
  expect(tokens.expiresIn).toBe(15);
  await expect.poll(() => lines).toContain('[bearer-sw] leeway shortened to 7.5 s: the token lives 15 s');

  const started = Date.now();
  let requests = 0;
  while (Date.now() - started < 60_000) {
    expect(await pageFetch(page, `${api}/v1/tick?i=${requests}`)).toMatchObject({ ok: true, status: 200 });
    requests += 1;
    await page.waitForTimeout(500);
  }
  const elapsed = (Date.now() - started) / 1000;
  // Every request carried a token the API verified (a 401 would have shown above as status 401).
  const ticks = oauth.api.requests((r) => r.url.startsWith('/v1/tick'));
  expect(ticks).toHaveLength(requests);
  expect(ticks.every((r) => r.verification?.ok === true)).toBe(true);
  // One refresh per 7.5 s of traffic: about 8 in the minute; never one per request.
  expect(requests).toBeGreaterThan(40);
  expect(oauth.proxy.refreshCalls).toBeLessThanOrEqual(Math.floor(elapsed / 7) + 1);
  expect(oauth.proxy.refreshCalls).toBeGreaterThanOrEqual(Math.floor(elapsed / 15));
  // Each token was used for several requests, and each refresh token sent once (rotation).
  expect(new Set(ticks.map((r) => r.token)).size).toBe(oauth.proxy.refreshCalls + 1);
  expect(new Set(oauth.proxy.refreshBodies).size).toBe(oauth.proxy.refreshBodies.length);
});
