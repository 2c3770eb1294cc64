import { expect, hardReload, openAppIn, pageFetch, register, signIn, stopAllWorkers, test, withPersistentProfile } from './support/fixtures.js';

test('tokens survive the worker being stopped', async ({ openApp, api, stopWorkers }) => {
  const page = await openApp();
  const token = await signIn(page);
  await stopWorkers();
  expect(await pageFetch(page, `${api.origin()}/v1/after-stop`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/after-stop')[0]?.token).toBe(token);
  // and once more, a second stop in a row
  await stopWorkers();
  await pageFetch(page, `${api.origin()}/custom/after-second-stop`);
  expect(api.requests((r) => r.url === '/custom/after-second-stop')[0]?.headers['x-api-token']).toBe(token);
});

test('tokens survive a browser restart', async ({ app, api }) => {
  await withPersistentProfile(async (launch) => {
    let context = await launch();
    const page = await context.newPage();
    await page.goto(app.origin);
    const token = await signIn(page);
    await context.close();

    context = await launch();
    const restarted = await openAppIn(context, app.origin);
    await register(restarted);
    expect(await restarted.evaluate(() => window.harness.state())).toBe('authenticated');
    expect(await pageFetch(restarted, `${api.origin()}/v1/after-restart`)).toMatchObject({ ok: true, status: 200 });
    expect(api.requests((r) => r.url === '/v1/after-restart')[0]?.token).toBe(token);
    await stopAllWorkers(context);
    await context.close();
  });
});

test('after a hard reload the page is claimed again and its fetches carry the token', async ({ openApp, api }) => {
  const page = await openApp();
  const token = await signIn(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await hardReload(page);
  expect(await page.evaluate(() => window.harness.controlledAtLoad)).toBe(false);
  await register(page);
  expect(await page.evaluate(() => window.harness.state())).toBe('authenticated');
  expect(await pageFetch(page, `${api.origin()}/v1/after-hard-reload`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/after-hard-reload')[0]?.token).toBe(token);
});
