// `debug: true`: one console line per request the worker sees (method, URL without its query, the
// decision, the rule), at install what the static routes send straight to the network; never a
// token, a code or a secret. Off: not a line.
import type { BrowserContext } from '@playwright/test';
import { tokenEndpointVia } from '../stack/fault-proxy.js';
import { pageFetch } from './support/fixtures.js';
import { expect, test } from './support/oauth-fixtures.js';

/** Every console line of every service worker of the context, from its first run on. */
function workerConsole(context: BrowserContext): string[] {
  const lines: string[] = [];
  const watch = (worker: { on(event: 'console', listener: (m: { text(): string }) => void): unknown }) =>
    worker.on('console', (message) => lines.push(message.text()));
  context.serviceWorkers().forEach(watch);
  context.on('serviceworker', watch);
  return lines;
}

test('one line per request with the decision and the rule, never a token or a query', async ({ context, openApp, oauth, useConfig, app }) => {
  const api = oauth.api.origin('api.test');
  useConfig({
    apis: [
      { origin: api, paths: ['/v1'] },
      { origin: api, paths: ['/custom'], header: 'x-api-token', scheme: null },
    ],
    oauth2: { tokenEndpoint: tokenEndpointVia(oauth.proxy, oauth.provider), clientId: oauth.provider.clientId },
    // Off, so that every request reaches the worker and gets its line (routes: the next test).
    staticRoutes: false,
  });
  const lines = workerConsole(context);
  const page = await openApp();
  const tokens = await oauth.signIn(page);
  const v1 = `${api}/v1 → authorization`;
  const custom = `${api}/custom → x-api-token`;
  const expectLine = (line: string) => expect.poll(() => lines, { message: line }).toContain(`[bearer-sw] ${line}`);

  await pageFetch(page, `${api}/v1/me?code=SECRET-CODE&state=s1`);
  await expectLine(`GET ${api}/v1/me: attached (rule ${v1})`);
  await pageFetch(page, `${api}/elsewhere?key=SECRET-KEY`);
  await expectLine(`GET ${api}/elsewhere: passed: no rule`);
  await pageFetch(page, `${api}/v1/own`, { headers: { authorization: 'Bearer app-set' } });
  await expectLine(`GET ${api}/v1/own: passed: header already set (rule ${v1})`);
  await page.evaluate((url) => window.harness.request('img', url), `${api}/v1/pic.png`);
  await expectLine(`GET ${api}/v1/pic.png: passed: no-cors (rule ${v1})`);
  await page.evaluate((url) => window.harness.request('iframe', url), `${app.origin}/nav-target?x=1`);
  await expectLine(`GET ${app.origin}/nav-target: passed: navigation`);
  await pageFetch(page, `${api}/custom/redirect?to=${encodeURIComponent(`${api}/custom/target`)}`);
  await expectLine(`GET ${api}/custom/redirect: redirect refused (rule ${custom})`);
  await pageFetch(page, `${api}/v1/status/401`, { method: 'POST', body: 'x' });
  await expectLine(`POST ${api}/v1/status/401: retried after 401 (rule ${v1})`);
  expect(oauth.proxy.refreshCalls).toBe(1);
  await page.evaluate(() => window.harness.logout());
  await pageFetch(page, `${api}/v1/after-logout`);
  await expectLine(`GET ${api}/v1/after-logout: passed: no session (rule ${v1})`);

  // Never a token (either one, the refreshed ones included), a code or a key.
  const secrets = [tokens.accessToken, tokens.refreshToken, 'SECRET-CODE', 'SECRET-KEY', 'app-set', ...oauth.api.requests().map((r) => r.token ?? '')];
  const leaked = lines.filter((line) => secrets.some((secret) => secret !== '' && line.includes(secret)));
  expect(leaked).toEqual([]);
});

test('at install, what the static routes send straight to the network', async ({ context, openApp, oauth, useConfig }) => {
  const api = oauth.api.origin('api.test');
  useConfig({
    apis: [{ origin: api, paths: ['/v1'] }],
    oauth2: { tokenEndpoint: tokenEndpointVia(oauth.proxy, oauth.provider), clientId: oauth.provider.clientId },
  });
  const lines = workerConsole(context);
  const page = await openApp();
  await oauth.signIn(page);
  await expect
    .poll(() => lines)
    .toContain(`[bearer-sw] static routes to the network: navigations, no-cors, all but ${api}/v1 → authorization`);
  // Those never reach the worker, so they get no line; what does reach it still does.
  await pageFetch(page, `${api}/elsewhere`);
  await pageFetch(page, `${api}/v1/me`);
  await expect.poll(() => lines).toContain(`[bearer-sw] GET ${api}/v1/me: attached (rule ${api}/v1 → authorization)`);
  expect(lines.filter((line) => line.includes('/elsewhere'))).toEqual([]);
});

test('off, the worker logs nothing', async ({ context, openApp, oauth, useConfig }) => {
  const api = oauth.api.origin('api.test');
  useConfig({
    apis: [{ origin: api, paths: ['/v1'] }],
    oauth2: { tokenEndpoint: tokenEndpointVia(oauth.proxy, oauth.provider), clientId: oauth.provider.clientId },
    staticRoutes: false,
    debug: false,
  });
  const lines = workerConsole(context);
  const page = await openApp();
  await oauth.signIn(page);
  expect(await pageFetch(page, `${api}/v1/me`)).toMatchObject({ ok: true, status: 200 });
  await pageFetch(page, `${api}/elsewhere`);
  await pageFetch(page, `${api}/v1/status/401`);
  expect(oauth.proxy.refreshCalls).toBe(1); // the 401 was handled: the worker was at work
  expect(lines.filter((line) => line.startsWith('[bearer-sw]'))).toEqual([]);
});
