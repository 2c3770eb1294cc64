import { mintToken } from './support/tokens.js';
import { expect, pageFetch, register, test } from './support/fixtures.js';

test('attaches the token as Authorization: Bearer under /v1 and raw in x-api-token under /custom', async ({ openApp, api }) => {
  const page = await openApp();
  await register(page);
  const token = await mintToken({ sub: 'alice' });
  expect(await page.evaluate((t) => window.harness.handoff({ accessToken: t, expiresIn: 300 }), token)).toMatchObject({
    ok: true,
    state: 'authenticated',
  });

  const bearer = await pageFetch(page, `${api.origin('api.test')}/v1/me`);
  const custom = await pageFetch(page, `${api.origin('api.test')}/custom/me`);
  expect(bearer).toMatchObject({ ok: true, status: 200 });
  expect(custom).toMatchObject({ ok: true, status: 200 });

  const [v1] = api.requests((r) => r.url === '/v1/me');
  const [c] = api.requests((r) => r.url === '/custom/me');
  expect(v1?.headers.authorization).toBe(`Bearer ${token}`);
  expect(v1?.headers['x-api-token']).toBeUndefined();
  expect(v1?.verification).toMatchObject({ ok: true, sub: 'alice' });
  expect(c?.headers['x-api-token']).toBe(token);
  expect(c?.headers.authorization).toBeUndefined();
  expect(c?.verification).toMatchObject({ ok: true, sub: 'alice' });
});
