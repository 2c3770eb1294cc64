// Redirects: the API answers a request that carries the token with a redirect elsewhere. The
// browser drops `Authorization` on a cross-origin hop (Fetch, HTTP-redirect fetch step 13), but
// keeps any other header, so the worker never lets a custom-header request follow a redirect.
import { expect, pageFetch, signIn, test } from './support/fixtures.js';
import type { ReceivedRequest } from './support/recording-server.js';

const STATUSES = [301, 302, 303, 307, 308];
const caseOf = (r: ReceivedRequest) => new URL(`http://x${r.url}`).searchParams.get('case');
const redirect = (from: string, to: string, status = 302) => `${from}/redirect?status=${status}&to=${encodeURIComponent(to)}`;

test('a redirect to a foreign origin never takes a token along, for either header style, any status, or a chain', async ({
  openApp,
  api,
  otherApi,
}) => {
  const page = await openApp();
  const token = await signIn(page);
  const foreign = [`http://evil.test:${api.port}`, otherApi.origin('api.test'), `http://127.0.0.1:${api.port}`];
  const styles = [
    { prefix: '/v1', header: 'authorization', follows: true },
    { prefix: '/custom', header: 'x-api-token', follows: false },
  ] as const;

  const cases: Array<{ url: string; style: (typeof styles)[number]; lands: string; note: string }> = [];
  const add = (style: (typeof styles)[number], lands: string, note: string, build: (id: number) => string) =>
    cases.push({ url: build(cases.length), style, lands, note });
  for (const style of styles) {
    const start = `${api.origin()}${style.prefix}`;
    for (const status of STATUSES) {
      for (const target of foreign) {
        add(style, new URL(target).host, `${status} to ${target}`, (id) => `${redirect(start, `${target}/landing?case=${id}`, status)}&case=${id}`);
      }
    }
    // A same-origin hop first, then away.
    add(style, `evil.test:${api.port}`, 'chain: same origin, then foreign', (id) =>
      `${redirect(start, `${redirect(start, `http://evil.test:${api.port}/landing?case=${id}`)}&case=${id}`, 307)}&case=${id}`,
    );
    // Away, then back to the API: the dropped header does not come back either.
    add(style, `api.test:${api.port}`, 'chain: foreign, then back to the API', (id) =>
      `${redirect(start, `${redirect(`http://evil.test:${api.port}`, `${start}/back?case=${id}`, 308)}&case=${id}`)}&case=${id}`,
    );
  }

  const outcomes = await page.evaluate((urls) => Promise.all(urls.map((u) => window.harness.fetch(u))), cases.map((c) => c.url));
  const everything = [...api.received, ...otherApi.received];
  const report = cases.map((c, id) => {
    const mine = everything.filter((r) => caseOf(r) === String(id) && r.method !== 'OPTIONS');
    const first = mine[0];
    const landed = mine.filter((r) => r.url.includes('/landing') || r.url.includes('/back'));
    return {
      note: `${c.style.header}: ${c.note}`,
      // the API's own redirect endpoint got the token: the token really was in play
      firstHopHadToken: first?.host === `api.test:${api.port}` && first.tokenHeader === c.style.header && first.token === token,
      // where the request ended up, and whether a token came along
      landed: landed.map((r) => r.host),
      // where it ended up, even back on the API after a foreign hop, it came without the token
      tokenWhereItLanded: landed.some((r) => Object.values(r.headers).some((v) => v.includes(token))),
      page: outcomes[id]?.ok === true ? 'followed' : 'network error',
    };
  });
  expect(report).toEqual(
    cases.map((c) => ({
      note: `${c.style.header}: ${c.note}`,
      firstHopHadToken: true,
      // Authorization: followed, without the header. A custom header: refused at the first hop.
      landed: c.style.follows ? [c.lands] : [],
      tokenWhereItLanded: false,
      page: c.style.follows ? 'followed' : 'network error',
    })),
  );
  // The foreign origins, preflights included, never saw the token in any header.
  const foreignHosts = new Set([`evil.test:${api.port}`, `api.test:${otherApi.port}`, `127.0.0.1:${api.port}`]);
  expect(everything.filter((r) => foreignHosts.has(r.host) && Object.values(r.headers).some((v) => v.includes(token)))).toEqual([]);
  expect(cases.length).toBe(2 * (STATUSES.length * foreign.length + 2));
});

test('same-origin redirects: followed with the token under Authorization, refused under a custom header', async ({ openApp, api, context }) => {
  const page = await openApp();
  const token = await signIn(page);
  const base = api.origin();
  const debugLog: string[] = [];
  const watch = (worker: { on(event: 'console', listener: (m: { text(): string }) => void): unknown }) =>
    worker.on('console', (message) => debugLog.push(message.text()));
  context.serviceWorkers().forEach(watch);
  context.on('serviceworker', watch);

  // Authorization, every status: the browser keeps the header on a same-origin hop.
  for (const status of STATUSES) {
    expect(await pageFetch(page, redirect(`${base}/v1`, `${base}/v1/target?s=${status}`, status))).toMatchObject({ ok: true, status: 200 });
  }
  expect(api.requests((r) => r.url.startsWith('/v1/target')).map((r) => [r.url, r.token === token])).toEqual(
    STATUSES.map((s) => [`/v1/target?s=${s}`, true]),
  );
  // 307 keeps method and body, with the token.
  const post = await pageFetch(page, redirect(`${base}/v1`, `${base}/v1/posted`, 307), { method: 'POST', body: 'payload=1' });
  expect(post).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/posted').map((r) => [r.method, r.body, r.token === token])).toEqual([['POST', 'payload=1', true]]);

  // Browser behaviour, documented in SECURITY.md: the origin is the boundary, not the path. A
  // same-origin redirect out of /v1 keeps Authorization, as it would without bearer-sw.
  await pageFetch(page, redirect(`${base}/v1`, `${base}/elsewhere`));
  expect(api.requests((r) => r.url === '/elsewhere').map((r) => r.token === token)).toEqual([true]);

  // A custom header: the worker cannot see where an opaque redirect goes, so it follows none.
  const refused = await pageFetch(page, redirect(`${base}/custom`, `${base}/custom/target`));
  expect(refused).toMatchObject({ ok: false, name: 'TypeError' });
  expect(api.requests((r) => r.url.startsWith('/custom/target'))).toEqual([]);
  expect(api.requests((r) => r.url.startsWith('/custom/redirect')).map((r) => r.token === token)).toEqual([true]);
  // What the page asked for itself is kept: 'manual' gets the opaque redirect, 'error' an error.
  expect(await pageFetch(page, redirect(`${base}/custom`, `${base}/custom/target`), { redirect: 'manual' })).toMatchObject({
    ok: true,
    type: 'opaqueredirect',
  });
  expect(await pageFetch(page, redirect(`${base}/custom`, `${base}/custom/target`), { redirect: 'error' })).toMatchObject({ ok: false });
  expect(api.requests((r) => r.url.startsWith('/custom/target'))).toEqual([]);
  // The worker says why, always (the warning SECURITY.md quotes), and in its debug line.
  await expect
    .poll(() => debugLog)
    .toContain(
      `[bearer-sw] redirect-refused: ${base}/custom/redirect answered with a redirect, not followed: browsers keep header 'x-api-token' across origins (see SECURITY.md)`,
    );
  await expect.poll(() => debugLog).toContain(`[bearer-sw] GET ${base}/custom/redirect: redirect refused (rule ${base}/custom → x-api-token)`);
  expect(debugLog.some((line) => line.includes(token))).toBe(false);
});
