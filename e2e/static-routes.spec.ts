import type { CDPSession, Page } from '@playwright/test';
import { compileRule, type ApiRule } from '../src/worker/api-rule.js';
import { createRuleMatcher } from '../src/worker/rule-matcher.js';
import { staticRoutesFor } from '../src/worker/static-routes.js';
import { expect, pageFetch, signIn, stopAllWorkers, test } from './support/fixtures.js';

interface Observed {
  fromServiceWorker: boolean;
  /** Set by Chromium when a static route matched: which source it sent the request to. */
  matchedSourceType: string | undefined;
}

/** Records, per URL, whether the worker answered and which static route (if any) Chromium applied. */
async function watchResponses(page: Page): Promise<{ cdp: CDPSession; observed: Map<string, Observed> }> {
  const cdp = await page.context().newCDPSession(page);
  const observed = new Map<string, Observed>();
  cdp.on('Network.responseReceived', ({ response }) => {
    observed.set(response.url, {
      fromServiceWorker: response.fromServiceWorker === true,
      matchedSourceType: response.serviceWorkerRouterInfo?.matchedSourceType,
    });
  });
  await cdp.send('Network.enable');
  return { cdp, observed };
}

test('allowlisted requests reach the worker and get the token; everything else goes to the network without it', async ({
  openApp,
  api,
  otherApi,
  app,
}) => {
  const page = await openApp();
  const token = await signIn(page);
  const { observed } = await watchResponses(page);

  const handled = [`${api.origin()}/v1/me`, `${api.origin()}/v1`, `${api.origin()}/custom/me`];
  const bypassed = [`${api.origin()}/v10`, `${api.origin()}/other`, `${otherApi.origin()}/v1/me`, `${app.origin}/sw-config.js`];
  for (const url of [...handled, ...bypassed]) expect(await pageFetch(page, url), url).toMatchObject({ ok: true, status: 200 });

  for (const url of handled) {
    expect(observed.get(url), url).toEqual({ fromServiceWorker: true, matchedSourceType: undefined });
  }
  for (const url of bypassed) {
    expect(observed.get(url), url).toEqual({ fromServiceWorker: false, matchedSourceType: 'network' });
  }
  const tokenOf = (server: typeof api, path: string) => server.requests((r) => r.url === path).map((r) => r.token);
  expect(tokenOf(api, '/v1/me')).toEqual([token]);
  expect(tokenOf(api, '/v1')).toEqual([token]);
  expect(tokenOf(api, '/custom/me')).toEqual([token]);
  expect(tokenOf(api, '/v10')).toEqual([null]);
  expect(tokenOf(api, '/other')).toEqual([null]);
  expect(tokenOf(otherApi, '/v1/me')).toEqual([null]);

  // Navigations and no-cors loads are routed too: the worker never attaches a token to them.
  expect(await page.evaluate((u) => window.harness.loadElement('img', u), `${api.origin()}/v1/pixel.png`)).toBe('load');
  expect(observed.get(`${api.origin()}/v1/pixel.png`)?.matchedSourceType).toBe('network');
  expect(tokenOf(api, '/v1/pixel.png')).toEqual([null]);
});

test('a stopped worker stays stopped for requests outside the allowlist, and starts for the next allowlisted one', async ({
  context,
  openApp,
  api,
  otherApi,
}) => {
  const page = await openApp();
  const token = await signIn(page);
  await stopAllWorkers(context);

  const cdp = await context.newCDPSession(page);
  const statuses: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) if (version.status === 'activated') statuses.push(version.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => statuses.at(-1)).toBe('stopped');

  for (const url of [`${api.origin()}/v10`, `${otherApi.origin()}/v1/x`, `${api.origin()}/other`]) {
    expect(await pageFetch(page, url), url).toMatchObject({ ok: true, status: 200 });
  }
  expect(statuses.filter((s) => s !== 'stopped')).toEqual([]);

  expect(await pageFetch(page, `${api.origin()}/v1/after-stop`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/after-stop').map((r) => r.token)).toEqual([token]);
  expect(statuses).toContain('running');
  await cdp.detach();
});

test('the routes Chromium registered are the allowlist of the config', async ({ context, openApp, api }) => {
  const page = await openApp();
  await signIn(page);
  const cdp = await context.newCDPSession(page);
  const rules: string[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) {
      if (version.status !== 'activated') continue;
      rules.push(version.routerRules ?? JSON.stringify(version.typedRouterRules ?? null));
    }
  });
  await cdp.send('ServiceWorker.enable');
  await expect.poll(() => rules.length).toBeGreaterThan(0);
  const registered = JSON.parse(rules.at(-1) ?? 'null') as unknown;
  const text = JSON.stringify(registered);
  expect(text).toContain('"navigate"');
  expect(text).toContain('"no-cors"');
  expect(text).toContain(`"port":"${api.port}"`);
  expect(text).toContain('"pathname":"/v1/*?"');
  expect(text).toContain('"pathname":"/custom/*?"');
  await cdp.detach();
});

/** Tricky URLs for the comparison below: boundaries, encodings, ports, case, user info. */
const URL_CORPUS = [
  'https://api.example.com/v1',
  'https://api.example.com/v1/',
  'https://api.example.com/v1/x/y?q=1#h',
  'https://api.example.com/v10',
  'https://api.example.com/v1x',
  'https://api.example.com/V1',
  'https://api.example.com/',
  'https://api.example.com:443/v1/x',
  'https://api.example.com:8443/v1/x',
  'http://api.example.com/v1/x',
  'https://API.EXAMPLE.COM/v1/x',
  'https://api.example.com./v1/x',
  'https://user:pw@api.example.com/v1/x',
  'https://api.example.com/v1%2Fx',
  'https://api.example.com/v1/../v2/x',
  'https://api.example.com/%76%31/x',
  'https://api.example.com/v2/a',
  'https://api.example.com/v2',
  'https://api.example.com/v2x',
  'https://api.example.com/a:b/(c)/d',
  'https://api.example.com/a:b/(c)',
  'https://api.example.com/a:b/(cd)',
  'https://api.example.com/x+y*z',
  'https://api.example.com/xxy*z',
  'https://api.example.com/x+y*z/w',
  'https://api.example.com/é/x',
  'https://api.example.com/%C3%A9/x',
  'http://localhost:8080/',
  'http://localhost:8080/anything?at=all',
  'http://localhost:8081/',
  'http://127.0.0.1:9000/rest/v1/x',
  'http://127.0.0.1:9000/rest/v2/x',
  'http://[::1]:9000/rest/v1',
  'http://[::1]:9000/rest/v1x',
  'http://[0:0::1]:9000/rest/v1/y',
  'https://xn--bcher-kva.example/v1',
  'https://bücher.example/v1/x',
  'https://evil.test/v1/x',
];

const CORPUS_RULES: ApiRule[] = [
  { origin: 'https://api.example.com', paths: ['/v1', '/v2/', '/a:b/(c)', '/x+y*z', '/%C3%A9'] },
  { origin: 'http://localhost:8080', header: 'x-api-token', scheme: null },
  { origin: 'http://127.0.0.1:9000', paths: ['/rest/v1'] },
  { origin: 'http://[::1]:9000', paths: ['/rest/v1'] },
  { origin: 'https://xn--bcher-kva.example', paths: ['/v1'] },
];

test('in Chromium, the static routes send to the worker every URL the matcher matches', async ({ page }) => {
  const matcher = createRuleMatcher(CORPUS_RULES.map((rule, index) => compileRule(rule, index)));
  const [, , rest] = staticRoutesFor(CORPUS_RULES);
  const patterns = (rest?.condition.not?.or ?? []).flatMap((c) => (c.urlPattern ? [c.urlPattern] : []));
  expect(patterns.length).toBe(9);

  await page.goto('about:blank');
  const reachesWorker = await page.evaluate(
    ([inits, urls]) => {
      // URLPattern is not in TypeScript's DOM lib yet.
      const { URLPattern } = globalThis as unknown as { URLPattern: new (init: object) => { test(url: string): boolean } };
      const compiled = inits.map((init) => new URLPattern(init));
      return urls.map((url) => compiled.some((pattern) => pattern.test(url)));
    },
    [patterns, URL_CORPUS] as const,
  );
  const differences = URL_CORPUS.map((url, i) => ({ url, matcher: matcher.match(url) !== null, route: reachesWorker[i] })).filter(
    (row) => row.matcher !== row.route,
  );
  // Only ever wider than the matcher, and only where the worker then leaves the request alone.
  expect(differences).toEqual([{ url: 'https://user:pw@api.example.com/v1/x', matcher: false, route: true }]);
});
