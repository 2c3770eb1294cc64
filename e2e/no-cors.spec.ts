// `upgradeNoCors`: markup requests (no-cors) to a rule that opts in go out as CORS requests with the
// token; everywhere else they stay as they are, without one.
import { expect, signIn, test } from './support/fixtures.js';

test('an <img> or <script> to an upgradeNoCors rule carries the token and loads when the API answers CORS; others get none', async ({
  openApp,
  api,
  app,
  useConfig,
}) => {
  const base = api.origin();
  useConfig({
    apis: [
      { origin: base, paths: ['/img'], upgradeNoCors: true },
      { origin: base, paths: ['/hdr'], header: 'x-api-token', scheme: null, upgradeNoCors: true },
      { origin: base, paths: ['/v1'] },
    ],
  });
  const page = await openApp();
  const token = await signIn(page);
  const load = (kind: 'img' | 'script' | 'img-anonymous', path: string) =>
    page.evaluate(([k, u]) => window.harness.request(k, u), [kind, `${base}${path}`] as const);

  const outcomes = {
    upgraded: await load('img', '/img/a.png'),
    upgradedScript: await load('script', '/img/s.js'),
    upgradedCustomHeader: await load('img', '/hdr/a.png'),
    notUpgraded: await load('img', '/v1/a.png'),
    // The API must answer CORS for the app's exact origin, with credentials (elements send cookies):
    apiWithoutCors: await load('img', '/img/b.png?cors=none'),
    apiWithWildcardOnly: await load('img', '/img/c.png?cors=star'),
    // …or the page marks the element crossorigin="anonymous": a CORS request without cookies,
    // which any rule gives the token, and which a wildcard answer is enough for.
    anonymousElement: await load('img-anonymous', '/v1/d.png?cors=star'),
  };
  expect(outcomes).toEqual({
    upgraded: 'load',
    upgradedScript: 'load',
    upgradedCustomHeader: 'load',
    notUpgraded: 'load',
    apiWithoutCors: 'error',
    apiWithWildcardOnly: 'error',
    anonymousElement: 'load',
  });

  const got = (path: string) =>
    api.requests((r) => r.url.startsWith(path)).map((r) => ({
      // Chromium sends Sec-Fetch-Mode to secure origins only; a CORS request is told by its Origin.
      origin: r.headers.origin ?? null,
      authorization: r.headers.authorization ?? null,
      custom: r.headers['x-api-token'] ?? null,
    }));
  const cors = { origin: app.origin, custom: null };
  expect(got('/img/a.png')).toEqual([{ ...cors, authorization: `Bearer ${token}` }]);
  expect(got('/img/s.js')).toEqual([{ ...cors, authorization: `Bearer ${token}` }]);
  expect(got('/hdr/a.png')).toEqual([{ ...cors, authorization: null, custom: token }]);
  expect(got('/v1/a.png')).toEqual([{ origin: null, authorization: null, custom: null }]);
  // Without CORS on the preflight the image request itself never goes out.
  expect(got('/img/b.png')).toEqual([]);
  expect(api.received.filter((r) => r.url.startsWith('/img/b.png')).map((r) => r.method)).toEqual(['OPTIONS']);
  expect(got('/v1/d.png')).toEqual([{ ...cors, authorization: `Bearer ${token}` }]);
  // Preflights never carry the token.
  expect(api.received.filter((r) => r.method === 'OPTIONS' && r.token !== null)).toEqual([]);

  // Without a session the upgraded rule leaves the request as it was: no-cors, no token.
  await page.evaluate(() => window.harness.logout());
  expect(await load('img', '/img/e.png')).toBe('load');
  expect(got('/img/e.png')).toEqual([{ origin: null, authorization: null, custom: null }]);
});
