// The leak suite: the token must reach the allowlisted origin and nothing else, whatever the URL
// looks like and whatever kind of request carries it. Every host name resolves to the recording
// servers here, so a request to a look-alike host really lands somewhere that records it.
import type { Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../scripts/find-chromium.mjs';
import { expect, signIn, test } from './support/fixtures.js';
import type { ReceivedRequest } from './support/recording-server.js';
import { tagUrl, urlVariants, variantRules } from './support/url-variants.js';

// Every name to loopback (not only *.test): `apitest`, `api.test.` and IDN hosts land too.
test.use({
  launchOptions: {
    executablePath: findChromium()?.path ?? '',
    args: CHROMIUM_ARGS.map((arg) => (arg.startsWith('--host-resolver-rules=') ? '--host-resolver-rules=MAP * 127.0.0.1' : arg)),
  },
});

/** The token, and its signature alone: neither may show up where it does not belong. */
const secretsOf = (token: string) => [token, token.split('.')[2] ?? token];

function carries(request: Pick<ReceivedRequest, 'headers' | 'url'> & { body?: string }, secrets: readonly string[]): boolean {
  const values = [...Object.values(request.headers), request.url, request.body ?? ''];
  return values.some((value) => secrets.some((secret) => value.includes(secret)));
}

/** A request target as recorded (`/a?b`, also `//a`), read as a path and a query. */
const target = (url: string) => new URL(`http://x${url}`);
const caseOf = (url: string) => target(url).searchParams.get('case');

// Twice: with Chromium's static routes (the default: most foreign URLs never wake the worker), and
// without them, so that every variant reaches the worker and its matcher decides alone.
for (const staticRoutes of [true, false]) {
  test(`no URL variant outside the allowlist gets a token; every spelling of an allowlisted URL does (static routes ${staticRoutes ? 'on' : 'off'})`, async ({
    openApp,
    api,
    otherApi,
    useConfig,
  }) => {
    useConfig({ apis: variantRules(api.port), staticRoutes });
    const page = await openApp();
    const token = await signIn(page);
    const secrets = secretsOf(token);
    const variants = urlVariants({ api: api.port, other: otherApi.port });

    const outcomes = await page.evaluate(
      (list) => Promise.all(list.map(({ url, via }) => (via === 'fetch' ? window.harness.fetch(url) : window.harness.request('xhr', url)))),
      variants.map((v, i) => ({ url: tagUrl(v.url, i), via: v.via })),
    );

    const servers = { api, other: otherApi };
    const failures: string[] = [];
    variants.forEach((variant, i) => {
      const label = `#${i} ${variant.note} (${variant.url})`;
      const seen = [...api.received, ...otherApi.received].filter((r) => caseOf(r.url) === String(i));
      if (variant.token === 'none') {
        if (seen.some((r) => carries(r, secrets))) failures.push(`${label}: LEAK, a token arrived`);
      } else {
        const value = variant.token === 'authorization' ? `Bearer ${token}` : token;
        const hit = seen.filter((r) => r.method !== 'OPTIONS' && r.headers[variant.token] === value);
        if (hit.length !== 1) failures.push(`${label}: expected the token in ${variant.token}, got ${JSON.stringify(outcomes[i])}`);
      }
      if (variant.lands === null) {
        if (seen.length > 0) failures.push(`${label}: expected to land nowhere, ${seen.length} request(s) recorded`);
        return;
      }
      const landed = servers[variant.lands].requests((r) => caseOf(r.url) === String(i));
      if (landed.length !== 1) {
        failures.push(`${label}: expected 1 request at ${variant.lands}, got ${landed.length}; page saw ${JSON.stringify(outcomes[i])}`);
        return;
      }
      const [request] = landed;
      if (request?.host !== variant.host) failures.push(`${label}: landed with Host ${request?.host}, expected ${variant.host}`);
      const path = target(request?.url ?? '/').pathname;
      if (path !== variant.seen) failures.push(`${label}: landed as ${path}, expected ${variant.seen}`);
    });
    expect(failures).toEqual([]);

    // And across everything both servers recorded: the token only ever went where a variant said.
    const allowed = new Set(variants.flatMap((v, i) => (v.token === 'none' ? [] : [String(i)])));
    const stray = [...api.received, ...otherApi.received].filter((r) => carries(r, secrets) && !allowed.has(caseOf(r.url) ?? ''));
    expect(stray.map((r) => `${r.host}${r.url}`)).toEqual([]);
    expect(variants.filter((v) => v.token === 'none').length).toBeGreaterThanOrEqual(40);
  });
}

test('only CORS requests to the allowlist carry the token: never markup, navigations or forms, also on the app origin', async ({
  openApp,
  api,
  app,
  context,
  useConfig,
}) => {
  // A second rule on the app's own origin: its navigations do reach this worker (a navigation
  // to api.test is handled by api.test's workers, of which there are none).
  useConfig({ apis: [...variantRules(api.port), { origin: app.origin, paths: ['/api'] }] });
  const page = await openApp();
  const token = await signIn(page);
  const secrets = secretsOf(token);
  const base = api.origin('api.test');

  const run = (p: Page, kind: Parameters<typeof window.harness.request>[0], url: string) =>
    p.evaluate(([k, u]) => window.harness.request(k, u), [kind, url] as const);

  // What each kind of request must get on the cross-origin API, by its request mode.
  const crossOrigin: Array<[Parameters<typeof window.harness.request>[0], string, boolean]> = [
    ['img', '/v1/kind/img.png', false], // no-cors
    ['script', '/v1/kind/script.js', false],
    ['stylesheet', '/v1/kind/style.css', false],
    ['beacon', '/v1/kind/beacon', false],
    ['iframe', '/v1/kind/iframe', false], // navigate
    ['form-get', '/v1/kind/form-get', false],
    ['form-post', '/v1/kind/form-post', false],
    ['xhr', '/v1/kind/xhr', true], // cors: as a fetch() would
    ['img-anonymous', '/v1/kind/img-anonymous.png', true],
    ['module', '/v1/kind/module.js', true],
    ['event-source', '/v1/kind/events', true],
    ['xhr', '/custom/kind/xhr', true],
  ];
  for (const [kind, path] of crossOrigin) await run(page, kind, `${base}${path}`);
  // A top-level navigation, from a second tab of the same app.
  const second = await context.newPage();
  await second.goto(`${base}/v1/kind/top-level`);

  const sameOrigin: Array<[Parameters<typeof window.harness.request>[0] | 'fetch', string, boolean]> = [
    ['fetch', '/api/kind/fetch', true], // the control: the rule works
    ['img', '/api/kind/img.png', false],
    ['iframe', '/api/kind/iframe', false],
    ['form-get', '/api/kind/form-get', false],
    ['form-post', '/api/kind/form-post', false],
  ];
  for (const [kind, path] of sameOrigin) {
    if (kind === 'fetch') await page.evaluate((u) => window.harness.fetch(u), `${app.origin}${path}`);
    else await run(page, kind, `${app.origin}${path}`);
  }
  await page.goto(`${app.origin}/api/kind/top-level`);

  // The beacon is sent in the background: wait until it arrived before judging.
  await expect.poll(() => api.requests((r) => r.url.startsWith('/v1/kind/beacon')).length).toBe(1);

  const carried = (path: string) => {
    const at = api.received.filter((r) => r.method !== 'OPTIONS' && r.url.startsWith(path));
    const atApp = app.received.filter((r) => r.method !== 'OPTIONS' && r.url.startsWith(path));
    return { count: at.length + atApp.length, withToken: [...at, ...atApp].filter((r) => carries(r, secrets)).length };
  };
  const expected = [...crossOrigin, ...sameOrigin, ['top', '/v1/kind/top-level', false], ['top', '/api/kind/top-level', false]] as const;
  const observed = expected.map(([kind, path]) => {
    const { count, withToken } = carried(path);
    return [kind, path, count > 0 ? withToken > 0 : 'never arrived'];
  });
  expect(observed).toEqual(expected.map(([kind, path, token]) => [kind, path, token]));
  // No preflight, no page request, nothing at the app's origin outside /api carried it.
  expect(app.received.filter((r) => carries(r, secrets) && !r.url.startsWith('/api/kind/fetch')).map((r) => r.url)).toEqual([]);
});
