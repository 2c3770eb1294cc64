// `registerTokenInjector({ timeout })` bounds the whole registration, not each of its waits: a slow
// script download plus a slow install that each fit in the timeout, but not together, time out.
import { expect, test } from './support/fixtures.js';

test('one overall deadline: register() itself is bounded', async ({ app, openApp }) => {
  app.setDelays({ '/sw.js': 6000 });
  const page = await openApp();
  const { result, ms } = await page.evaluate(async () => {
    const started = performance.now();
    const result = await window.harness.register({ timeout: 1500 });
    return { result, ms: performance.now() - started };
  });
  expect(result).toMatchObject({
    ok: false,
    name: 'BearerSwError',
    code: 'timeout',
    message: 'Failed to register the token injector: the worker was not ready within 1500 ms',
  });
  expect(ms).toBeGreaterThan(1400);
  expect(ms).toBeLessThan(3000);
});

test('one overall deadline: steps that each fit but not together time out', async ({ app, openApp, useConfig, api }) => {
  useConfig({ apis: [{ origin: api.origin(), paths: ['/v1'] }], installDelayMs: 1500 });
  app.setDelays({ '/sw.js': 1500 });
  const page = await openApp();
  const { result, ms } = await page.evaluate(async () => {
    const started = performance.now();
    const result = await window.harness.register({ timeout: 2500 });
    return { result, ms: performance.now() - started };
  });
  expect(result).toMatchObject({
    ok: false,
    name: 'BearerSwError',
    code: 'timeout',
    message: 'Failed to register the token injector: the worker was not ready within 2500 ms',
  });
  expect(ms).toBeGreaterThan(2400);
  expect(ms).toBeLessThan(3500);
  // Given the time, the same registration completes.
  expect(await page.evaluate(() => window.harness.register({ timeout: 10_000 }))).toMatchObject({ ok: true, controlled: true });
});
