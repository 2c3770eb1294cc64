import type { Page } from '@playwright/test';
import { lostEvents } from './support/oauth-fixtures.js';
import { pageFetch } from './support/fixtures.js';
import { expect, register, test } from './support/vendor-fixtures.js';

// supabaseRefresh against a test project speaking GoTrue's refresh protocol (stack/supabase-server.ts).

const state = (page: Page) => page.evaluate(() => window.harness.state());

test('the user JWT goes to /rest/v1 next to the page\'s apikey', async ({ openApp, supabase }) => {
  const page = await openApp();
  const session = await supabase.signIn(page);
  const outcome = await pageFetch(page, supabase.restUrl('todos?select=*'), { headers: { apikey: supabase.server.apiKey } });
  expect(outcome).toMatchObject({ ok: true, status: 200 });
  const [received] = supabase.server.restRequests;
  expect(received?.token).toBe(session.access_token);
  expect(received?.verification).toMatchObject({ ok: true, sub: 'user-ada@example.com' });
  expect(received?.headers.apikey).toBe(supabase.server.apiKey);
  expect(supabase.server.refreshCalls).toHaveLength(0);
});

test('2 tabs × 20 parallel requests after expiry: one GoTrue refresh grant, as supabase-js sends it, and 40 × 200', async ({ openApp, supabase, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  const session = await supabase.signIn(a);
  await register(b);
  await a.waitForTimeout((vendorTokenTtl + 0.5) * 1000);
  const statuses = (await Promise.all([a, b].map((tab) => burstWithKey(tab, supabase.restUrl('todos'), supabase.server.apiKey, 20)))).flat();
  expect(statuses).toEqual(Array(40).fill(200));
  expect(supabase.server.refreshCalls).toHaveLength(1);
  const [call] = supabase.server.refreshCalls;
  expect(call?.refreshToken).toBe(session.refresh_token);
  expect(call?.headers).toMatchObject({ apikey: supabase.server.apiKey, 'x-supabase-api-version': '2024-01-01' });
  expect(call?.headers['content-type']).toMatch(/^application\/json/);
  // A publishable key is not a JWT: never sent as Bearer.
  expect(call?.headers.authorization).toBeUndefined();
  const tokens = new Set(supabase.server.restRequests.map((r) => r.token));
  expect(tokens.size).toBe(1);
  expect(supabase.server.restRequests.every((r) => r.verification?.ok === true)).toBe(true);
});

test('rotation: five expiry cycles from two tabs, each refresh presents the token the previous one returned; a lost response is recovered within the reuse interval', async ({ openApp, supabase, vendorTokenTtl }) => {
  test.setTimeout(120_000);
  const a = await openApp();
  const b = await openApp();
  const session = await supabase.signIn(a);
  await register(b);
  for (let cycle = 0; cycle < 5; cycle++) {
    await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
    const url = supabase.restUrl(`cycle_${cycle}`);
    const statuses = (await Promise.all([burstWithKey(a, url, supabase.server.apiKey, 5), burstWithKey(b, url, supabase.server.apiKey, 5)])).flat();
    expect(statuses, `cycle ${cycle}`).toEqual(Array(10).fill(200));
  }
  const calls = supabase.server.refreshCalls;
  expect(calls.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
  expect(calls[0]?.refreshToken).toBe(session.refresh_token);
  for (let i = 1; i < 5; i++) expect(calls[i]?.refreshToken, `refresh ${i}`).toBe(calls[i - 1]?.issued);
  expect(new Set(calls.map((c) => c.refreshToken)).size).toBe(5);

  // The server rotates, the answer is lost: the worker retries with the same token after its
  // backoff, and GoTrue's reuse interval answers the active token instead of revoking.
  supabase.server.failNext(1, 'lost-response');
  await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  expect(await pageFetch(a, supabase.restUrl('after_loss'), { headers: { apikey: supabase.server.apiKey } })).toMatchObject({ ok: true, status: 401 });
  await a.waitForTimeout(1500);
  expect(await pageFetch(b, supabase.restUrl('recovered'), { headers: { apikey: supabase.server.apiKey } })).toMatchObject({ ok: true, status: 200 });
  expect(calls.slice(5).map((c) => c.status)).toEqual([0, 200]);
  expect(calls[5]?.refreshToken).toBe(calls[4]?.issued);
  expect(calls[6]?.refreshToken).toBe(calls[5]?.refreshToken);
  expect(calls[6]?.issued).toBe(calls[5]?.issued); // the reuse interval answered the active token
  expect(supabase.server.reuseDetections).toBe(0);
  expect(await lostEvents(a)).toEqual([]);
  expect(await lostEvents(b)).toEqual([]);
});

test('409, 520 and 503 from GoTrue are transient: the session stays, and the next refresh after the backoff succeeds', async ({ openApp, supabase, vendorTokenTtl }) => {
  const page = await openApp();
  await supabase.signIn(page);
  await page.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  const url = supabase.restUrl('todos');
  const headers = { apikey: supabase.server.apiKey };
  for (const [status, backoffMs] of [[409, 1000], [520, 2000], [503, 4000]] as const) {
    supabase.server.failNext(1, { status });
    // The refresh fails: the request goes out with the expired token, the API refuses it.
    expect(await pageFetch(page, url, { headers }), `after ${status}`).toMatchObject({ ok: true, status: 401 });
    expect(await state(page)).toBe('authenticated');
    await page.waitForTimeout(backoffMs + 300);
  }
  expect(await pageFetch(page, url, { headers })).toMatchObject({ ok: true, status: 200 });
  expect(supabase.server.refreshCalls.map((c) => c.status)).toEqual([409, 520, 503, 200]);
  expect(await lostEvents(page)).toEqual([]);
});

test('a session ended at Supabase (session_not_found): one refresh, session-invalid once in every tab', async ({ openApp, supabase, vendorTokenTtl }) => {
  const a = await openApp();
  const b = await openApp();
  await supabase.signIn(a);
  await register(b);
  expect(supabase.server.endAllSessions()).toBe(1);
  await a.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
  const statuses = await burstWithKey(a, supabase.restUrl('todos'), supabase.server.apiKey, 5);
  expect(statuses.every((s) => s === 401)).toBe(true);
  expect(supabase.server.refreshCalls.map((c) => [c.status, c.code])).toEqual([[400, 'session_not_found']]);
  for (const tab of [a, b]) {
    await expect.poll(() => lostEvents(tab)).toHaveLength(1);
    expect((await lostEvents(tab))[0]).toMatchObject({ reason: 'refresh-rejected', state: 'unauthenticated' });
  }
  // Later requests go without a token.
  await pageFetch(b, supabase.restUrl('after'), { headers: { apikey: supabase.server.apiKey } });
  expect(supabase.server.restRequests.at(-1)?.token).toBeNull();
});

test.describe('the Supabase recipe with the real @supabase/supabase-js', () => {
  test('sign in with supabase-js (no persistence, no auto-refresh), hand off; plain fetch() and a supabase-js client both carry the worker\'s token, refreshed by the worker alone', async ({ openApp, supabase, vendorTokenTtl }) => {
    const page = await openApp();
    await register(page);
    const project = { url: supabase.server.url, apiKey: supabase.server.apiKey };
    const signedIn = await page.evaluate((p) => window.harness.supabaseSignIn(p, 'grace@example.com', 'password'), project);
    expect(signedIn, JSON.stringify(signedIn)).toMatchObject({ ok: true, userId: 'user-grace@example.com' });
    expect(supabase.server.signIns).toBe(1);

    const plain = await pageFetch(page, supabase.restUrl('todos?select=*'), { headers: { apikey: project.apiKey } });
    expect(plain).toMatchObject({ ok: true, status: 200 });
    const viaClient = await page.evaluate((p) => window.harness.supabaseSelect(p, 'todos'), project);
    expect(viaClient, JSON.stringify(viaClient)).toMatchObject({ ok: true, status: 200, error: null, rows: [{ table: 'todos', owner: 'user-grace@example.com' }] });
    const [first, second] = supabase.server.restRequests;
    expect(second?.url).toBe('/rest/v1/todos?select=*');
    expect(second?.headers.apikey).toBe(project.apiKey);
    expect(second?.token).toBe(first?.token); // the worker's token, not the project key
    expect(second?.verification?.ok).toBe(true);

    await page.waitForTimeout((vendorTokenTtl + 0.3) * 1000);
    const afterExpiry = await page.evaluate((p) => window.harness.supabaseSelect(p, 'todos'), project);
    expect(afterExpiry).toMatchObject({ ok: true, status: 200 });
    expect(supabase.server.restRequests.at(-1)?.token).not.toBe(first?.token);
    // Exactly one refresh, and it came from the worker (supabase-js would send its own X-Client-Info).
    expect(supabase.server.refreshCalls.map((c) => c.headers['x-client-info'])).toEqual(['bearer-sw']);
  });
});

/** Parallel fetches with the project's apikey, as the page sends it; their statuses. */
async function burstWithKey(page: Page, url: string, apiKey: string, count: number): Promise<number[]> {
  const outcomes = await page.evaluate(
    ([u, key, n]) => Promise.all(Array.from({ length: n }, (_, i) => window.harness.fetch(`${u}?i=${i}`, { headers: { apikey: key } }))),
    [url, apiKey, count] as const,
  );
  return outcomes.map((o) => (o.ok ? o.status : -1));
}

