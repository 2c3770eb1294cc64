import { expect, pageFetch, signIn, test } from './support/fixtures.js';

test('sends no token to URLs the allowlist does not name, nor on navigations or markup requests', async ({ openApp, api, otherApi, app }) => {
  const page = await openApp();
  const token = await signIn(page);
  const port = api.port;
  const urls = [
    `http://evil.test:${port}/v1/a`, // another host, same port
    `http://api.test.evil.test:${port}/v1/b`, // suffix look-alike
    `http://evil-api.test:${port}/v1/c`,
    `http://127.0.0.1:${port}/v1/d`, // same server by address: another origin
    `${otherApi.origin('api.test')}/v1/e`, // another port
    `http://api.test:${port}/v10`,
    `http://api.test:${port}/v1x`,
    `http://api.test:${port}/V1/f`,
    `http://api.test:${port}/`,
    `http://api.test:${port}/customer`,
    `http://api.test:${port}/x/v1/g`,
  ];
  for (const url of urls) {
    const outcome = await pageFetch(page, url);
    expect(outcome, url).toMatchObject({ ok: true, status: 200 });
  }
  // a same-origin static file
  expect(await pageFetch(page, `${app.origin}/index.html`)).toMatchObject({ ok: true, status: 200 });

  // markup requests are no-cors: left alone
  expect(await page.evaluate((u) => window.harness.loadElement('img', u), `http://api.test:${port}/v1/pic.png`)).toBe('load');
  expect(await page.evaluate((u) => window.harness.loadElement('script', u), `http://api.test:${port}/v1/s.js`)).toBe('load');

  // a navigation to an allowlisted URL
  await page.goto(`http://api.test:${port}/v1/navigated`);

  const seen = [...api.requests(), ...otherApi.requests()];
  const paths = seen.map((r) => `${r.host}${r.url}`);
  for (const url of urls) expect(paths, url).toContain(new URL(url).host + new URL(url).pathname);
  expect(paths).toContain(`api.test:${port}/v1/pic.png`);
  expect(paths).toContain(`api.test:${port}/v1/s.js`);
  expect(paths).toContain(`api.test:${port}/v1/navigated`);
  expect(api.leaks([token])).toEqual([]);
  expect(otherApi.leaks([token])).toEqual([]);
});

test('leaves a request alone when the app set the header itself', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  await pageFetch(page, `${api.origin()}/v1/own`, { headers: { Authorization: 'Bearer app-chosen' } });
  await pageFetch(page, `${api.origin()}/custom/own`, { headers: { 'x-api-token': 'app-chosen' } });
  const [own] = api.requests((r) => r.url === '/v1/own');
  const [custom] = api.requests((r) => r.url === '/custom/own');
  expect(own?.headers.authorization).toBe('Bearer app-chosen');
  expect(custom?.headers['x-api-token']).toBe('app-chosen');
  expect(api.leaks([token])).toEqual([]);
});
