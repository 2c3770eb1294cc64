import { createHash } from 'node:crypto';
import { expect, pageFetch, signIn, test } from './support/fixtures.js';

test('the rebuilt request keeps method, body, headers, credentials, referrer policy and integrity', async ({ openApp, api, app }) => {
  const page = await openApp();
  const token = await signIn(page);
  const base = api.origin();

  const post = await pageFetch(page, `${base}/v1/items?q=1`, {
    method: 'POST',
    body: JSON.stringify({ name: 'widget', n: 3 }),
    headers: { 'content-type': 'application/json', 'x-trace': 'trace-7' },
    credentials: 'include',
    keepalive: true,
  });
  expect(post).toMatchObject({ ok: true, status: 200 });
  const [received] = api.requests((r) => r.url === '/v1/items?q=1');
  expect(received).toMatchObject({ method: 'POST', body: '{"name":"widget","n":3}', token });
  expect(received?.headers['content-type']).toBe('application/json');
  expect(received?.headers['x-trace']).toBe('trace-7');

  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    await pageFetch(page, `${base}/v1/m`, { method, body: method === 'DELETE' ? null : 'x=1' });
  }
  expect(api.requests((r) => r.url === '/v1/m').map((r) => [r.method, r.body, r.token === token])).toEqual([
    ['PUT', 'x=1', true],
    ['PATCH', 'x=1', true],
    ['DELETE', '', true],
  ]);

  await pageFetch(page, `${base}/v1/ref-none`, { referrerPolicy: 'no-referrer' });
  await pageFetch(page, `${base}/v1/ref-full`, { referrerPolicy: 'unsafe-url' });
  await pageFetch(page, `${base}/v1/ref-default`);
  const referer = (url: string) => api.requests((r) => r.url === url)[0]?.headers.referer;
  expect(referer('/v1/ref-none')).toBeUndefined();
  expect(referer('/v1/ref-full')).toBe(`${app.origin}/`);
  expect(referer('/v1/ref-default')).toBe(`${app.origin}/`);

  // integrity: the right hash loads, a wrong one fails (so it was kept on the rebuilt request)
  const script = 'window.__scriptLoaded = (window.__scriptLoaded || 0) + 1;';
  const sri = `sha256-${createHash('sha256').update(script).digest('base64')}`;
  expect(await pageFetch(page, `${base}/v1/lib.js`, { integrity: sri })).toMatchObject({ ok: true, status: 200 });
  expect(await pageFetch(page, `${base}/v1/lib.js`, { integrity: 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).toMatchObject({
    ok: false,
    name: 'TypeError',
  });
  expect(api.requests((r) => r.url === '/v1/lib.js').every((r) => r.token === token)).toBe(true);

  // redirect: 'error' is kept; the page's own 'manual' gets the opaque redirect it asked for
  const to = encodeURIComponent(`${base}/v1/target`);
  expect(await pageFetch(page, `${base}/v1/redirect?to=${to}`, { redirect: 'error' })).toMatchObject({ ok: false, name: 'TypeError' });
  expect(await pageFetch(page, `${base}/v1/redirect?to=${to}`, { redirect: 'manual' })).toMatchObject({ ok: true, type: 'opaqueredirect' });
  // a same-origin redirect under Authorization is followed, and the token comes along
  expect(await pageFetch(page, `${base}/v1/redirect?to=${to}`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/target').map((r) => r.token)).toEqual([token]);
});

// The rebuilt request follows event.request.signal (unit-tested in attach-token.test.ts), but
// Chromium never aborts that signal when the page aborts its fetch (w3c/ServiceWorker#1544): the
// server keeps the connection, so there is nothing end to end to assert on here.
