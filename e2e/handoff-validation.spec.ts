import { expect, pageFetch, signIn, test } from './support/fixtures.js';

test('a malformed handoff rejects with a TypeError naming the problem, and the session stays as it was', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  const eventsBefore = await page.evaluate(() => window.harness.events.length);
  const cases: Array<[unknown, RegExp]> = [
    ['just-a-string', /expected an object/],
    [null, /expected an object/],
    [{}, /accessToken or a refreshToken is required/],
    [{ accessToken: 123 }, /accessToken must be a string/],
    [{ accessToken: 'ok', refreshToken: false }, /refreshToken must be a string/],
    [{ accessToken: 'ok', expiresIn: -5 }, /expiresIn must be a finite number/],
    [{ accessToken: 'ok', expiresIn: 'soon' }, /expiresIn must be a finite number/],
    [{ accessToken: 'a\nb' }, /not allowed in an HTTP header/],
    [{ access_token: 'ok' }, /did you mean 'accessToken'/],
    [{ accessToken: 'x'.repeat(20_000) }, /longer than 16384 characters/],
    // over the worker's message size limit: refused before it is read, still a TypeError here
    [{ accessToken: 'x'.repeat(100_000) }, /the tokens are too large/],
    // well-formed, but useless without a refresh function: refused by the worker itself
    [{ refreshToken: 'only-refresh' }, /accessToken is required/],
  ];
  for (const [input, message] of cases) {
    const result = await page.evaluate((t) => window.harness.handoff(t), input);
    expect(result, JSON.stringify(input)).toMatchObject({ ok: false, name: 'TypeError' });
    expect((result as { message: string }).message).toMatch(message);
  }
  // What cannot be posted to the worker (a function) is refused in the page, as a TypeError too.
  const notPlainData = await page.evaluate(() => window.harness.handoff({ accessToken: 'ok', onExpiry: () => undefined }));
  expect(notPlainData).toMatchObject({ ok: false, name: 'TypeError', message: 'Failed to hand off tokens: the tokens are not plain data' });
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  expect(await page.evaluate(() => window.harness.events.length)).toBe(eventsBefore);
  await pageFetch(page, `${api.origin()}/v1/still`);
  expect(api.requests((r) => r.url === '/v1/still')[0]?.token).toBe(token);
});

test('forged and malformed messages get a coded error or nothing, and change nothing', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  const ask = (data: unknown, options: { withPort?: boolean } = {}) =>
    page.evaluate(([d, o]) => window.harness.postRaw(d, o), [data, options] as const);

  expect(await ask({ v: 1, type: 'set-allowlist', id: 'a', payload: { origin: 'http://evil.test' } })).toMatchObject({
    type: 'reply',
    id: 'a',
    payload: { ok: false, error: { code: 'unknown-type' } },
  });
  expect(await ask({ v: 99, type: 'logout', id: 'b' })).toMatchObject({ payload: { ok: false, error: { code: 'version-mismatch' } } });
  expect(await ask({ v: 1, type: 'handoff', id: 'c', payload: { accessToken: 7 } })).toMatchObject({
    payload: { ok: false, error: { code: 'invalid-argument' } },
  });
  expect(await ask({ v: 1, type: 'handoff', id: 'd', payload: { accessToken: 'x'.repeat(100_000) } })).toMatchObject({
    payload: { ok: false, error: { code: 'invalid-message' } },
  });
  expect(await ask({ v: 1, type: 'get-access-token', id: 'e' })).toMatchObject({ payload: { ok: false, error: { code: 'not-allowed' } } });
  // no id, not an object, no reply port: dropped without an answer
  expect(await ask({ v: 1, type: 'logout' })).toBe('no-reply');
  expect(await ask('logout')).toBe('no-reply');
  expect(await ask({ v: 1, type: 'logout', id: 'f' }, { withPort: false })).toBe('no-reply');
  expect(await ask(new ArrayBuffer(8))).toBe('no-reply');

  // the worker is still alive and the session untouched
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  await pageFetch(page, `${api.origin()}/v1/after-garbage`);
  expect(api.requests((r) => r.url === '/v1/after-garbage')[0]?.token).toBe(token);
  // and the envelope still works for real requests
  expect(await ask({ v: 1, type: 'hello', id: 'g', payload: { version: 'x' } })).toMatchObject({
    payload: { ok: true, result: { state: 'authenticated' } },
  });
});

test('every page-side wait has a timeout with a clear error', async ({ openApp }) => {
  const page = await openApp();
  await signIn(page);
  // A worker that never answers: stub postMessage on the active worker so messages go nowhere.
  const result = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration?.active) return 'no worker';
    registration.active.postMessage = () => undefined;
    const started = Date.now();
    const outcome = await window.harness.logout();
    return { outcome, elapsed: Date.now() - started };
  });
  expect(result).toMatchObject({ outcome: { ok: false, code: 'timeout' } });
  expect((result as { outcome: { message: string } }).outcome.message).toMatch(/did not answer within 10000 ms/);
});
