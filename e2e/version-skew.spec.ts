// A deploy in progress: a page and a worker of releases that speak different protocol versions.
// The new release is this package built with PROTOCOL_VERSION 2 (e2e/support/build-fixtures.ts);
// `deploy()` makes the app server serve it at the old URLs (`/` and `/sw.js`), as a real deploy
// does. Either way round, the page must learn of the skew at once, with `version-mismatch`, not
// after the 10 s timeout; and the README's update flow (`harness.connect`) must end in a page and
// a worker of the same release, with the session intact.
import type { Page } from '@playwright/test';
import type { AppServer } from './support/app-server.js';
import { expect, pageFetch, signIn, test } from './support/fixtures.js';

/** Serves the new release's page at `/` and its worker at `/sw.js`. */
function deploy(app: AppServer, parts: { page?: boolean; worker?: boolean }): void {
  const routes: Record<string, string> = {};
  if (parts.page) Object.assign(routes, { '/': 'protocol-2/index.html', '/index.html': 'protocol-2/index.html' });
  if (parts.worker) routes['/sw.js'] = 'sw-protocol-2.js';
  app.setRoutes(routes);
}

/** Whether the page loaded is the new release's (its scripts come from /protocol-2/). */
const isNewPage = (page: Page) => page.evaluate(() => [...document.scripts].some((s) => s.src.includes('/protocol-2/')));

/** Runs a harness step in the page and measures how long it took there, in ms. */
function timed(page: Page, step: 'register' | 'logout' | 'getAccessToken'): Promise<{ result: unknown; ms: number }> {
  return page.evaluate(async (name) => {
    const started = performance.now();
    const result = await window.harness[name]();
    return { result, ms: performance.now() - started };
  }, step);
}

test('new page, old worker: registration rejects at once with version-mismatch; the update flow waits for the new worker', async ({
  app,
  openApp,
  api,
}) => {
  const old = await openApp();
  const token = await signIn(old);

  deploy(app, { page: true }); // the page is out, the worker not yet
  const fresh = await openApp();
  expect(await isNewPage(fresh)).toBe(true);
  const { result, ms } = await timed(fresh, 'register');
  expect(result).toMatchObject({ ok: false, name: 'BearerSwError', code: 'version-mismatch' });
  expect((result as { message: string }).message).toMatch(/^Failed to .*: (the page runs another bearer-sw version|the worker runs another bearer-sw version)$/);
  expect(ms).toBeLessThan(3000); // the registration timeout is 10 s
  // Nothing changed for the old release's page, and requests from both still carry the token.
  expect(await old.evaluate(() => window.harness.state())).toBe('authenticated');
  await pageFetch(fresh, `${api.origin()}/v1/mid-deploy`);
  expect(api.requests((r) => r.url === '/v1/mid-deploy').map((r) => r.token)).toEqual([token]);

  deploy(app, { page: true, worker: true }); // now the worker too
  expect(await fresh.evaluate(() => window.harness.connect())).toMatchObject({ ok: true, state: 'authenticated' });
  // The new worker took over, with the session it found in IndexedDB.
  await pageFetch(fresh, `${api.origin()}/v1/after-deploy`);
  expect(api.requests((r) => r.url === '/v1/after-deploy').map((r) => r.token)).toEqual([token]);
  expect(await fresh.evaluate(() => window.harness.logout())).toMatchObject({ ok: true, state: 'unauthenticated' });
});

test('old page, new worker: each call rejects at once with version-mismatch; the update flow reloads into the new page', async ({
  app,
  openApp,
  api,
}) => {
  const old = await openApp();
  const token = await signIn(old);

  // The new release is out and a new page brought its worker in: it takes over every page at once.
  deploy(app, { page: true, worker: true });
  const fresh = await openApp();
  expect(await fresh.evaluate(() => window.harness.connect())).toMatchObject({ ok: true, state: 'authenticated' });
  await expect.poll(() => old.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  for (const step of ['logout', 'getAccessToken'] as const) {
    const { result, ms } = await timed(old, step);
    expect(result, step).toMatchObject({ ok: false, name: 'BearerSwError', code: 'version-mismatch' });
    expect(ms, step).toBeLessThan(3000);
  }
  // The refused logout changed nothing; the new worker attaches the token for the old page too.
  expect(await fresh.evaluate(() => window.harness.state())).toBe('authenticated');
  await pageFetch(old, `${api.origin()}/v1/old-page`);
  expect(api.requests((r) => r.url === '/v1/old-page').map((r) => r.token)).toEqual([token]);

  // The update flow in the old page: no newer worker to wait for, so it reloads, into the new page.
  const reloaded = old.waitForEvent('load');
  void old.evaluate(() => window.harness.connect()).catch(() => 'navigated away');
  await reloaded;
  await old.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  expect(await isNewPage(old)).toBe(true);
  expect(await old.evaluate(() => window.harness.connect())).toMatchObject({ ok: true, state: 'authenticated' });
  expect(await old.evaluate(() => sessionStorage.getItem('bearer-sw-reloaded'))).toBeNull();
  expect(await old.evaluate(() => window.harness.logout())).toMatchObject({ ok: true, state: 'unauthenticated' });
  await expect.poll(() => fresh.evaluate(() => window.harness.state())).toBe('unauthenticated');
});

test('the worker answers a request of any protocol version in that version, and changes nothing', async ({ openApp }) => {
  // So that a page of a release yet to come (here: version 7) can read the refusal.
  const page = await openApp();
  await signIn(page);
  const outcome = await page.evaluate(async () => {
    const { port1, port2 } = new MessageChannel();
    const registration = await navigator.serviceWorker.getRegistration();
    const seen = new Promise((resolve) => (port1.onmessage = (event) => resolve(event.data)));
    registration!.active!.postMessage({ v: 7, type: 'logout', id: 'x1' }, [port2]);
    return seen;
  });
  expect(outcome).toMatchObject({ v: 7, type: 'reply', id: 'x1', payload: { ok: false, error: { code: 'version-mismatch' } } });
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
});
