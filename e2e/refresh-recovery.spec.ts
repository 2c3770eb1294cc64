import { pageFetch } from './support/fixtures.js';
import { burst, expect, lostEvents, register, test } from './support/oauth-fixtures.js';

test('a 401 for a JSON POST: one refresh, one retry with the body intact', async ({ openApp, oauth }) => {
  const page = await openApp();
  // The worker is told the token lasts 5 minutes; the provider made it last 4 s: the API will
  // refuse it before the worker thinks it expired (clock skew, early revocation …).
  const tokens = await oauth.login();
  await oauth.signIn(page, { ...tokens, expiresIn: 300 });
  await page.waitForTimeout((tokens.expiresIn + 0.5) * 1000);

  const body = JSON.stringify({ order: 42, items: ['a', 'b'], note: 'é✓' });
  const outcome = await pageFetch(page, `${oauth.api.origin()}/v1/orders`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  expect(outcome).toMatchObject({ ok: true, status: 200 });
  const posts = oauth.api.requests((r) => r.url === '/v1/orders');
  expect(posts.map((r) => [r.method, r.body, r.headers['content-type'], r.verification?.ok])).toEqual([
    ['POST', body, 'application/json', false],
    ['POST', body, 'application/json', true],
  ]);
  expect(posts[0]?.token).toBe(tokens.accessToken);
  expect(posts[1]?.token).not.toBe(tokens.accessToken);
  expect(oauth.proxy.refreshCalls).toBe(1);
});

test('a 401 for a multipart upload: the retry sends the same bytes, boundary and all', async ({ openApp, oauth }) => {
  const page = await openApp();
  await oauth.signIn(page);
  // The body is read once before the first send (no tee): both sends must carry it byte for byte.
  const status = await page.evaluate(async (url) => {
    const form = new FormData();
    form.set('name', 'report ✓');
    form.set('file', new Blob(['x'.repeat(200_000), 'end'], { type: 'text/plain' }), 'report.txt');
    return (await fetch(url, { method: 'POST', body: form })).status;
  }, `${oauth.api.origin()}/v1/status/401`);
  expect(status).toBe(401);
  const attempts = oauth.api.requests((r) => r.url === '/v1/status/401');
  expect(attempts).toHaveLength(2);
  const [first, second] = attempts;
  expect(first?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
  expect(second?.headers['content-type']).toBe(first?.headers['content-type']);
  expect(first?.body).toContain(`${'x'.repeat(200_000)}end`);
  expect(second?.body).toBe(first?.body);
  expect(second?.token).not.toBe(first?.token);
  expect(oauth.proxy.refreshCalls).toBe(1);
});

test('a second 401 goes to the page and does not end the session', async ({ openApp, oauth }) => {
  const page = await openApp();
  await oauth.signIn(page);
  const outcome = await pageFetch(page, `${oauth.api.origin()}/v1/status/401`);
  expect(outcome).toMatchObject({ ok: true, status: 401 });
  const attempts = oauth.api.requests((r) => r.url === '/v1/status/401');
  expect(attempts).toHaveLength(2);
  expect(attempts.every((r) => r.verification?.ok === true)).toBe(true);
  expect(oauth.proxy.refreshCalls).toBe(1);
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  expect(await lostEvents(page)).toEqual([]);
  expect(await pageFetch(page, `${oauth.api.origin()}/v1/fine`)).toMatchObject({ ok: true, status: 200 });
});

test('grant revoked at the provider: every tab, one in the background, gets exactly one session-invalid', async ({ openApp, oauth }) => {
  const background = await openApp();
  const tokens = await oauth.signIn(background);
  const front = await openApp();
  await register(front);
  // Not the front tab, and it does nothing itself: only the worker can tell it the session ended.
  // (Playwright keeps every page "visible", microsoft/playwright#12099, so that is as far into the
  // background as a test can put it; bearer-sw runs no page timers that throttling could starve.)
  await front.bringToFront();

  expect(await oauth.provider.revokeAllGrants()).toBeGreaterThan(0);
  await front.waitForTimeout((tokens.expiresIn + 0.5) * 1000);
  const statuses = await burst(front, `${oauth.api.origin()}/v1/after-revoke`, 10);
  expect(statuses.every((s) => s === 401)).toBe(true);
  expect(oauth.proxy.refreshCalls).toBe(1);
  for (const tab of [front, background]) {
    await expect.poll(() => lostEvents(tab).then((events) => events.map((e) => e.reason))).toEqual(['refresh-rejected']);
    expect(await tab.evaluate(() => window.harness.state())).toBe('unauthenticated');
  }
  // later requests go without a token and raise nothing more
  await pageFetch(background, `${oauth.api.origin()}/v1/later`);
  expect(oauth.api.requests((r) => r.url === '/v1/later').map((r) => r.token)).toEqual([null]);
  await front.waitForTimeout(300);
  expect((await lostEvents(front)).length + (await lostEvents(background)).length).toBe(2);
  expect(oauth.proxy.refreshCalls).toBe(1);
});

test('two 503s from the token endpoint, then healthy: no session-invalid, the next fetch succeeds', async ({ openApp, oauth }) => {
  const page = await openApp();
  const tokens = await oauth.signIn(page);
  oauth.proxy.failNext(2, '503');
  await page.waitForTimeout((tokens.expiresIn + 0.3) * 1000);
  const url = `${oauth.api.origin()}/v1/flaky`;

  // 1st: the refresh gets a 503; the request goes out with the expired token rather than hang
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 401 });
  expect(oauth.proxy.refreshCalls).toBe(1);
  await page.waitForTimeout(1100); // past the first backoff (1 s)
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 401 });
  expect(oauth.proxy.refreshCalls).toBe(2);
  await page.waitForTimeout(2100); // past the second backoff (2 s)
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 200 });
  expect(oauth.proxy.refreshCalls).toBe(3);
  // the server never processed the two failed calls, so resending that refresh token was safe
  expect(oauth.proxy.refreshBodies).toEqual([tokens.refreshToken, tokens.refreshToken, tokens.refreshToken]);
  expect(await lostEvents(page)).toEqual([]);
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
});

test('a connection reset at the token endpoint is transient too', async ({ openApp, oauth }) => {
  const page = await openApp();
  const tokens = await oauth.signIn(page);
  oauth.proxy.failNext(1, 'reset');
  await page.waitForTimeout((tokens.expiresIn + 0.3) * 1000);
  const url = `${oauth.api.origin()}/v1/reset`;
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 401 });
  await page.waitForTimeout(1100);
  expect(await pageFetch(page, url)).toMatchObject({ ok: true, status: 200 });
  expect(oauth.proxy.refreshCalls).toBe(2);
  expect(await lostEvents(page)).toEqual([]);
});

test('logout during a slow refresh: the result is discarded and the session stays ended', async ({ openApp, oauth }) => {
  const a = await openApp();
  const tokens = await oauth.signIn(a);
  const b = await openApp();
  await register(b);
  oauth.proxy.failNext(1, 'delay', 2500);
  await a.waitForTimeout((tokens.expiresIn + 0.3) * 1000);
  const pending = pageFetch(a, `${oauth.api.origin()}/v1/during-refresh`);
  await expect.poll(() => oauth.proxy.refreshCalls).toBe(1);
  expect(await b.evaluate(() => window.harness.logout())).toMatchObject({ ok: true, state: 'unauthenticated' });
  await pending;
  await a.waitForTimeout(3000); // the delayed refresh has answered by now
  for (const tab of [a, b]) expect(await tab.evaluate(() => window.harness.state())).toBe('unauthenticated');
  await pageFetch(a, `${oauth.api.origin()}/v1/after-logout`);
  await pageFetch(b, `${oauth.api.origin()}/v1/after-logout`);
  expect(oauth.api.requests((r) => r.url === '/v1/after-logout').map((r) => r.token)).toEqual([null, null]);
  expect(oauth.proxy.refreshCalls).toBe(1);
});

test('a background tab fetching every 300 ms across an expiry: every request 200', async ({ openApp, oauth }) => {
  const background = await openApp();
  const tokens = await oauth.signIn(background);
  const front = await openApp();
  await register(front);
  await front.bringToFront(); // see the note in the revocation test about "background" here
  const statuses = await background.evaluate(
    ([url, ms]) =>
      new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const started = Date.now();
        const timer = setInterval(() => {
          void window.harness.fetch(`${url}?n=${seen.length}`).then((o) => seen.push(o.ok ? o.status : -1));
          if (Date.now() - started > ms) {
            clearInterval(timer);
            setTimeout(() => resolve(seen), 1500);
          }
        }, 300);
      }),
    [`${oauth.api.origin()}/v1/ticker`, (tokens.expiresIn * 2 + 1) * 1000] as const,
  );
  expect(statuses.length).toBeGreaterThan(5);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  expect(oauth.proxy.refreshCalls).toBeGreaterThanOrEqual(2); // it did cross expiries
});

test('a refresh token alone is enough: the first request that needs a token refreshes', async ({ openApp, oauth }) => {
  const page = await openApp();
  const tokens = await oauth.login();
  await register(page);
  expect(await page.evaluate((r) => window.harness.handoff({ refreshToken: r }), tokens.refreshToken)).toMatchObject({
    ok: true,
    state: 'authenticated',
  });
  expect(oauth.proxy.refreshCalls).toBe(0); // lazy: nothing until a request needs it
  const statuses = await burst(page, `${oauth.api.origin()}/v1/first`, 5);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  expect(oauth.proxy.refreshCalls).toBe(1);
  expect(oauth.proxy.refreshBodies).toEqual([tokens.refreshToken]);
});
