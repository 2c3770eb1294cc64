// examples/vite-pwa as its users run it: the packed package, real vite + vite-plugin-pwa
// (injectManifest) builds served by `vite preview`, a real OpenID Provider and an API on another
// origin that verifies each token with jose. One worker: Workbox (precache, navigation route,
// runtime caching) composed with bearer-sw (workboxComposition), which also runs the login
// (oidcLogin): its redirect URI /callback is answered by bearer-sw, not by Workbox's navigation
// route. Every build is made once, in
// beforeAll; a test "deploys" one by copying it where `vite preview` serves from.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { decodeJwt } from 'jose';
import { createDemoApi, type DemoApi } from '../src/demo/server/demo-api.js';
import { createApiVerifier } from '../stack/api-verifier.js';
import { listenOnLoopback, type LoopbackServer } from '../stack/listen-on-loopback.js';
import { startOidcProvider, type OidcServer } from '../stack/provider.js';
import { devExample, installExample, previewExample, type InstalledExample, type ServedExample } from './support/example-app.js';
import { freePort } from './support/examples.js';
import { credentialsOf, EXPOSED_TEXT_SOURCE, exposedCredentials } from './support/exposed-text.js';
import { ROOT } from './support/paths.js';

type Activation = 'immediate' | 'prompt';
type Label = 'v1' | 'v2';

/**
 * The example's worker with one more Workbox route at its end, after `installTokenInjector`, that
 * claims every request to the API origin (a NetworkFirst), as a catch-all route of an app would.
 * Each time its strategy starts, a plugin leaves a mark in the cache 'api-shadow-ran'.
 */
function withShadowingRoute(source: string): string {
  const mark = "handlerWillStart: async () => { await (await caches.open('api-shadow-ran')).put('/ran', new Response('')); }";
  const route = `registerRoute(({ url }) => url.origin === import.meta.env.VITE_API_ORIGIN, new NetworkFirst({ cacheName: 'api-shadow', plugins: [{ ${mark} }] }));\n`;
  return `import { NetworkFirst } from 'workbox-strategies';\n${source}\n${route}`;
}

/** The example's worker without `workboxComposition`: bearer-sw's default static routes, as if alone. */
function withoutComposition(source: string): string {
  const line = /^\s*\.\.\.workboxComposition\(.*\),\n/m;
  if (!line.test(source)) throw new Error('the example worker no longer spreads workboxComposition(…) into its config');
  return source.replace(line, '').replace(/^import \{ workboxComposition \}.*\n/m, '');
}

/**
 * The example's worker with a Workbox route that runtime-caches another origin's URLs (the API
 * origin's /public/, which no rule names) into 'api-public'; with `staticRoutes: false` when
 * `routesOff`.
 */
function withForeignRoute(routesOff: boolean) {
  return (source: string): string => {
    const anchor = '  ...workboxComposition(';
    if (!source.includes(anchor)) throw new Error('the example worker no longer spreads workboxComposition(…) into its config');
    const route = "registerRoute(({ url }) => url.origin === import.meta.env.VITE_API_ORIGIN && url.pathname.startsWith('/public/'), new StaleWhileRevalidate({ cacheName: 'api-public' }));\n";
    return `${routesOff ? source.replace(anchor, `  staticRoutes: false,\n${anchor}`) : source}\n${route}`;
  };
}

/**
 * The example's worker with Workbox's precache and navigation route registered before
 * `installTokenInjector` (against the README's order rule): the navigation route then answers
 * the provider's redirect to the redirect URI with index.html.
 */
function withNavigationRouteFirst(source: string): string {
  const workbox = "cleanupOutdatedCaches();\nprecacheAndRoute(self.__WB_MANIFEST);\nregisterRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));\n";
  const anchor = 'installTokenInjector({\n';
  if (!source.includes(workbox) || !source.includes(anchor)) throw new Error('the example worker no longer has the expected Workbox calls or installTokenInjector');
  return source.replace(workbox, '').replace(anchor, `${workbox}${anchor}`);
}

interface Stack {
  example: InstalledExample;
  app: ServedExample;
  provider: OidcServer;
  apiListener: LoopbackServer;
  api: DemoApi;
  /** `builds[activation][label]`: the folder of that build. */
  builds: Record<Activation, Record<Label, string>>;
  /** An immediate build with {@link withShadowingRoute}. */
  shadowed: string;
  /** An immediate build {@link withoutComposition}. */
  uncomposed: string;
  /** Immediate builds {@link withForeignRoute}, with the composition's routes and with none. */
  foreign: { routes: string; noRoutes: string };
  /** An immediate build {@link withNavigationRouteFirst}. */
  navigationFirst: string;
}

const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const port = await freePort();
      const appOrigin = `http://localhost:${port}`;
      const apiListener = await listenOnLoopback();
      // Long-lived access tokens: a token the API sees after an update is the login's, not a refresh's.
      const provider = await startOidcProvider({ appOrigin, apiAudience: apiListener.origin, redirectUri: `${appOrigin}/callback`, accessTokenTtl: 600 });
      const api = createDemoApi({ name: 'api', appOrigin, verifier: createApiVerifier(provider, apiListener.origin), requireToken: true });
      apiListener.server.on('request', api.handler);
      const env = {
        VITE_API_ORIGIN: apiListener.origin,
        VITE_ISSUER: provider.issuer,
        VITE_CLIENT_ID: provider.clientId,
        VITE_API_AUDIENCE: apiListener.origin,
      };
      const example = installExample('vite-pwa', env);
      const builds = { immediate: {}, prompt: {} } as Stack['builds'];
      for (const activation of ['immediate', 'prompt'] as const) {
        for (const label of ['v1', 'v2'] as const) {
          builds[activation][label] = await example.build(`${activation}-${label}`, { VITE_ACTIVATION: activation, VITE_BUILD_LABEL: label });
        }
      }
      const shadowed = await example.build('shadowed', { VITE_ACTIVATION: 'immediate', VITE_BUILD_LABEL: 'shadowed' }, {
        'src/sw.ts': withShadowingRoute,
      });
      const uncomposed = await example.build('uncomposed', { VITE_ACTIVATION: 'immediate', VITE_BUILD_LABEL: 'uncomposed' }, {
        'src/sw.ts': withoutComposition,
      });
      const foreign = {
        routes: await example.build('foreign-routes', { VITE_ACTIVATION: 'immediate', VITE_BUILD_LABEL: 'foreign' }, { 'src/sw.ts': withForeignRoute(false) }),
        noRoutes: await example.build('foreign-no-routes', { VITE_ACTIVATION: 'immediate', VITE_BUILD_LABEL: 'foreign' }, { 'src/sw.ts': withForeignRoute(true) }),
      };
      const navigationFirst = await example.build('navigation-first', { VITE_ACTIVATION: 'immediate', VITE_BUILD_LABEL: 'navigation-first' }, {
        'src/sw.ts': withNavigationRouteFirst,
      });
      const app = await previewExample(example, port);
      await use({ example, app, provider, apiListener, api, builds, shadowed, uncomposed, foreign, navigationFirst });
      await Promise.all([app.close(), apiListener.close(), provider.close()]);
      example.remove();
    },
    { scope: 'worker', timeout: 240_000 },
  ],
});

const WAIT = { timeout: 30_000 };

/** Opens the app and waits until its worker controls the page. */
async function openApp(page: Page, origin: string): Promise<void> {
  await page.goto(origin);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, WAIT);
}

/** Logs in as a person would: the app's button, the provider's login and consent forms, back to the app. */
async function logIn(page: Page, stack: Stack): Promise<void> {
  await page.click('#login');
  await page.waitForURL((url) => url.origin === stack.provider.issuer, WAIT);
  await page.locator('input[name="login"]').fill('alice');
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached', ...WAIT });
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.origin === stack.app.origin, WAIT);
  await expect(page.locator('#state')).toHaveText('authenticated', WAIT);
}

/** Clicks "Call the API" and returns what the API recorded for that call. */
async function callApi(page: Page, stack: Stack) {
  const before = stack.api.records.length;
  await page.locator('#output').evaluate((element) => (element.textContent = ''));
  await page.click('#call-api');
  await expect(page.locator('#output')).toContainText('"status"', WAIT);
  const records = stack.api.records.slice(before).filter((record) => record.path === '/v1/me');
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** Asks the browser to check for a new worker version now (as it does on navigations, or every 24 h). */
async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
}

/**
 * Version 1 of `activation`'s builds, logged in, one API call made; then version 2 is served and the
 * browser asked to check for it. Returns the page, the code grants before the login, and that call.
 */
async function loggedInThenUpdated(stack: Stack, context: BrowserContext, activation: 'immediate' | 'prompt') {
  stack.app.serve(stack.builds[activation].v1);
  const page = await context.newPage();
  await openApp(page, stack.app.origin);
  const codeGrants = stack.provider.stats.codeGrants;
  await logIn(page, stack);
  const before = await callApi(page, stack);
  expect(before.token).toMatchObject({ verified: true, sub: 'alice' });
  stack.app.serve(stack.builds[activation].v2);
  await checkForUpdate(page);
  return { page, codeGrants, before };
}

test.describe.configure({ mode: 'serial' });

test('log in through the worker, the API verifies the login token, the page reads no credential; offline, the app reloads from the precache and Workbox runtime caching serves /news/', async ({ stack, context }) => {
  stack.app.serve(stack.builds.immediate.v1);
  const page = await context.newPage();
  const committed: string[] = [];
  page.on('framenavigated', (frame) => frame === page.mainFrame() && frame.url().startsWith(stack.app.origin) && committed.push(frame.url()));
  await openApp(page, stack.app.origin);
  await logIn(page, stack);
  expect(stack.provider.stats.codeGrants).toBe(1);
  await expect(page.locator('#user')).toHaveText('as User alice');
  // bearer-sw answered the redirect to /callback (the code exchange from the worker, then a
  // redirect to where the login started): Workbox's navigation route never served index.html
  // there, and no document committed with the code in its URL.
  expect(stack.provider.record.authorizations.at(-1)).toMatchObject({ redirect_uri: `${stack.app.origin}/callback`, resource: stack.apiListener.origin });
  expect(stack.provider.record.tokenRequests).toEqual([{ grantType: 'authorization_code', origin: stack.app.origin, status: 200, dpop: false }]);
  expect(page.url()).toBe(`${stack.app.origin}/`);
  expect(committed.filter((url) => /[?&](code|state)=/.test(url) || url.startsWith(`${stack.app.origin}/callback`))).toEqual([]);

  const online = await callApi(page, stack);
  expect(online.status).toBe(200);
  expect(online.token).toMatchObject({ verified: true, sub: 'alice' });
  // The very token the provider issued at the worker's code exchange.
  const [issued] = stack.provider.record.issued;
  expect(issued?.grantType).toBe('authorization_code');
  expect((online.token as { jti: string }).jti).toBe(decodeJwt(issued!.accessToken).jti);
  // No token, code or verifier is readable by the page (URL, history, DOM, globals, storages, cookies).
  const secrets = credentialsOf(stack.provider.record);
  expect(secrets.length).toBeGreaterThanOrEqual(5);
  expect(exposedCredentials(await page.evaluate(`(${EXPOSED_TEXT_SOURCE})()`), secrets)).toEqual([]);
  expect(exposedCredentials(JSON.stringify(await context.cookies(stack.app.origin)), secrets)).toEqual([]);

  // Runtime caching: the first fetch goes to the network and lands in Workbox's 'news' cache.
  await page.click('#news');
  await expect(page.locator('#output')).toContainText('Runtime-cached by Workbox');
  await expect.poll(() => page.evaluate(async () => (await (await caches.open('news')).keys()).map((r) => new URL(r.url).pathname)), WAIT).toEqual(['/news/today.json']);

  await context.setOffline(true);
  await page.reload();
  // The navigation was answered by Workbox's precache (a static route to the network would fail here).
  await expect(page.locator('#build')).toHaveText('v1', WAIT);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, WAIT);
  await expect(page.locator('#state')).toHaveText('authenticated');
  await page.click('#news');
  await expect(page.locator('#output')).toContainText('Runtime-cached by Workbox');

  await context.setOffline(false);
  const again = await callApi(page, stack);
  expect(again.token).toMatchObject({ verified: true, sub: 'alice', jti: (online.token as { jti: string }).jti });
  await page.close();
});

test('without a composition, the default static routes take navigations and /news/ from Workbox: offline, a reload fails', async ({ stack, context }) => {
  stack.app.serve(stack.uncomposed);
  const page = await context.newPage();
  await openApp(page, stack.app.origin);
  await expect(page.locator('#build')).toHaveText('uncomposed');
  // Installed with its routes once it controls the page; Workbox's precache is complete by then.
  await page.click('#news');
  await expect(page.locator('#output')).toContainText('Runtime-cached by Workbox');
  expect(await page.evaluate(() => caches.keys())).not.toContain('news');
  await context.setOffline(true);
  await expect(page.reload()).rejects.toThrow(/net::ERR_INTERNET_DISCONNECTED/);
  await context.setOffline(false);
  await page.close();
});

test("activation 'immediate': a new version takes over at once, the page reloads into it, and it serves the same session", async ({ stack, context }) => {
  const { page, codeGrants, before } = await loggedInThenUpdated(stack, context, 'immediate');
  // vite-plugin-pwa's autoUpdate reloads the page once the new version is active.
  await expect(page.locator('#build')).toHaveText('v2', WAIT);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, WAIT);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();

  await expect(page.locator('#state')).toHaveText('authenticated');
  const after = await callApi(page, stack);
  expect(after.token).toMatchObject({ verified: true, sub: 'alice', jti: (before.token as { jti: string }).jti });
  expect(stack.provider.stats.codeGrants).toBe(codeGrants + 1); // the one login, no second
  await page.close();
});

test("activation 'prompt': a new version waits until the app posts SKIP_WAITING, then serves the same session", async ({ stack, context }) => {
  const { page, codeGrants, before } = await loggedInThenUpdated(stack, context, 'prompt');
  // workbox-window saw a waiting version: the app offers the update and the old version still serves.
  await expect(page.locator('#update')).toBeVisible(WAIT);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state)).toBe('installed');
  await expect(page.locator('#build')).toHaveText('v1');
  const waiting = await callApi(page, stack);
  expect(waiting.token).toMatchObject({ verified: true, jti: (before.token as { jti: string }).jti });

  // updateSW(true): workbox-window's messageSkipWaiting(), then a reload once the new version controls.
  await page.click('#update-now');
  await expect(page.locator('#build')).toHaveText('v2', WAIT);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, WAIT);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  await expect(page.locator('#state')).toHaveText('authenticated');
  const after = await callApi(page, stack);
  expect(after.token).toMatchObject({ verified: true, sub: 'alice', jti: (before.token as { jti: string }).jti });
  expect(stack.provider.stats.codeGrants).toBe(codeGrants + 1);
  await page.close();
});

test('a Workbox route for the API added after installTokenInjector neither answers allowlisted calls nor sends its own', async ({ stack, context }) => {
  stack.app.serve(stack.shadowed);
  const page = await context.newPage();
  await openApp(page, stack.app.origin);
  await expect(page.locator('#build')).toHaveText('shadowed');
  await logIn(page, stack);
  // bearer-sw answered, with the token, which ends the event's dispatch: Workbox's strategy never
  // started (it would have sent a request of its own, without the token).
  for (let call = 0; call < 2; call += 1) {
    const seen = await callApi(page, stack);
    expect(seen.status).toBe(200);
    expect(seen.token).toMatchObject({ verified: true, sub: 'alice' });
  }
  expect(await page.evaluate(() => caches.keys())).not.toContain('api-shadow-ran');
  // The route is live: an API call bearer-sw leaves alone (the app set the header itself) goes
  // through it.
  await page.evaluate((origin) => fetch(`${origin}/v1/me`, { headers: { authorization: 'Bearer set-by-the-app' } }).then((r) => r.status), stack.apiListener.origin);
  await expect.poll(() => page.evaluate(() => caches.keys()), WAIT).toContain('api-shadow-ran');
  await page.close();
});

test("Workbox runtime caching of another origin's URLs needs staticRoutes: false; the composition's routes send them past the worker", async ({ stack, browser }) => {
  const cached = async (build: string) => {
    stack.app.serve(build);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await openApp(page, stack.app.origin);
      const before = stack.api.records.length;
      const status = await page.evaluate((origin) => fetch(`${origin}/public/status`).then((r) => r.status), stack.apiListener.origin);
      expect(status).toBe(200);
      expect(stack.api.records.slice(before).map((r) => [r.path, r.token])).toEqual([['/public/status', null]]);
      // A second request: after it, StaleWhileRevalidate has long put the first answer in its cache.
      await page.evaluate((origin) => fetch(`${origin}/public/status`).then((r) => r.status), stack.apiListener.origin);
      return await page.evaluate(async () => (await caches.has('api-public')) && (await (await caches.open('api-public')).keys()).map((r) => new URL(r.url).pathname));
    } finally {
      await context.close();
    }
  };
  await expect.poll(() => cached(stack.foreign.noRoutes), WAIT).toEqual(['/public/status']);
  expect(await cached(stack.foreign.routes)).toBe(false);
});

test('a Workbox navigation route registered before installTokenInjector takes the redirect URI: the page loads with the code in its URL, and no login happens', async ({ stack, browser }) => {
  stack.app.serve(stack.navigationFirst);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await openApp(page, stack.app.origin);
    await expect(page.locator('#build')).toHaveText('navigation-first');
    const tokenRequests = stack.provider.record.tokenRequests.length;
    await page.click('#login');
    await page.waitForURL((url) => url.origin === stack.provider.issuer, WAIT);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').click();
    await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached', ...WAIT });
    await page.locator('button[type="submit"]').click();
    // Workbox answered the navigation (index.html): the tab sits at the redirect URI, code and all.
    await page.waitForURL((url) => url.origin === stack.app.origin && url.pathname === '/callback' && url.searchParams.has('code'), WAIT);
    await page.waitForFunction(() => document.body.dataset.ready === 'yes', undefined, WAIT);
    await expect(page.locator('#state')).toHaveText('unauthenticated');
    expect(stack.provider.record.tokenRequests.length).toBe(tokenRequests);
  } finally {
    await context.close();
  }
});

test("the example's page and worker type-check against the packed package's declarations", ({ stack }) => {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  for (const project of ['tsconfig.json', 'tsconfig.sw.json']) {
    // Throws with tsc's report when a file does not type-check.
    execFileSync(tsc, ['-p', project], { cwd: stack.example.dir, encoding: 'utf8' });
  }
  expect(execFileSync('node', ['-p', "require.resolve('bearer-sw/package.json')"], { cwd: stack.example.dir, encoding: 'utf8' }).trim()).toBe(
    join(stack.example.dir, 'node_modules', 'bearer-sw', 'package.json'),
  );
});

test('vite dev: the worker vite-plugin-pwa serves in development hosts bearer-sw, and the API verifies the login token', async ({ stack, context }) => {
  // Its own origin, so its own provider client (redirect URI and CORS) and API.
  const port = await freePort();
  const appOrigin = `http://localhost:${port}`;
  const apiListener = await listenOnLoopback();
  const provider = await startOidcProvider({ appOrigin, apiAudience: apiListener.origin, redirectUri: `${appOrigin}/callback`, accessTokenTtl: 600 });
  const api = createDemoApi({ name: 'api', appOrigin, verifier: createApiVerifier(provider, apiListener.origin), requireToken: true });
  apiListener.server.on('request', api.handler);
  const dev = await devExample(stack.example, port, {
    VITE_API_ORIGIN: apiListener.origin,
    VITE_ISSUER: provider.issuer,
    VITE_CLIENT_ID: provider.clientId,
    VITE_API_AUDIENCE: apiListener.origin,
    VITE_ACTIVATION: 'immediate',
    VITE_BUILD_LABEL: 'dev-server',
  });
  try {
    const local: Stack = { ...stack, provider, apiListener, api, app: { ...stack.app, origin: dev.origin } };
    const page = await context.newPage();
    await openApp(page, dev.origin);
    await expect(page.locator('#build')).toHaveText('dev-server');
    const script = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
    expect(script).toBe(`${dev.origin}/dev-sw.js?dev-sw`);
    await logIn(page, local);
    const call = await callApi(page, local);
    expect(call.status).toBe(200);
    expect(call.token).toMatchObject({ verified: true, sub: 'alice' });
    await page.close();
  } finally {
    await Promise.all([dev.close(), apiListener.close(), provider.close()]);
  }
});
