// A strict Content-Security-Policy with Trusted Types, on the page and on the worker script: the
// library needs no eval, no inline script, no blob: worker, and no string reaching a script sink.
import { expect, pageFetch, test } from './support/fixtures.js';
import { mintToken } from './support/tokens.js';

const POLICY_NAME = 'bearer-sw-app';

/** The page's policy: only its own scripts, only the APIs it names, Trusted Types enforced. */
function pageCsp(connect: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`,
    "img-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    `trusted-types ${POLICY_NAME}`,
    'report-uri /csp-report',
  ].join('; ');
}

/** The worker's own policy (from its script response): its fetches answer to its connect-src. */
function workerCsp(connect: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    'report-uri /csp-report',
  ].join('; ');
}

interface CspReport {
  'csp-report'?: { 'blocked-uri'?: string; 'document-uri'?: string; 'effective-directive'?: string; 'violated-directive'?: string };
}

test('register, handoff and token-carrying fetches work under a strict CSP with Trusted Types, with no violation', async ({
  openApp,
  api,
  otherApi,
  app,
  useConfig,
  stopWorkers,
}) => {
  const apiOrigin = api.origin('api.test');
  const otherOrigin = otherApi.origin('api.test');
  // The second API is allowlisted and allowed to the page, but not to the worker: the canary that
  // proves a violation in the worker would be reported.
  useConfig({
    apis: [
      { origin: apiOrigin, paths: ['/v1'] },
      { origin: apiOrigin, paths: ['/custom'], header: 'x-api-token', scheme: null },
      { origin: otherOrigin, paths: ['/v1'] },
    ],
  });
  app.setPageHeaders({ 'content-security-policy': pageCsp([apiOrigin, otherOrigin]) });
  app.setScriptHeaders({ 'content-security-policy': workerCsp([apiOrigin]) });
  app.cspReports.splice(0);

  const page = await openApp();
  expect(await page.evaluate((name) => window.harness.register({ trustedTypesPolicy: name }), POLICY_NAME)).toMatchObject({
    ok: true,
    controlled: true,
  });
  const token = await mintToken({ sub: 'csp' });
  expect(await page.evaluate((t) => window.harness.handoff({ accessToken: t, expiresIn: 300 }), token)).toMatchObject({
    ok: true,
    state: 'authenticated',
  });
  expect(await pageFetch(page, `${apiOrigin}/v1/under-csp`)).toMatchObject({ ok: true, status: 200 });
  expect(await pageFetch(page, `${apiOrigin}/custom/under-csp`)).toMatchObject({ ok: true, status: 200 });
  // A worker restarted under its CSP still loads its config module and its session.
  await stopWorkers();
  expect(await pageFetch(page, `${apiOrigin}/v1/after-restart`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url.endsWith('under-csp') || r.url.endsWith('after-restart')).map((r) => [r.url, r.token === token])).toEqual([
    ['/v1/under-csp', true],
    ['/custom/under-csp', true],
    ['/v1/after-restart', true],
  ]);
  expect(await page.evaluate(() => window.harness.violations)).toEqual([]);

  // Canaries, one per context, so "no report" means something: a page fetch its CSP forbids, and
  // a worker fetch the worker's CSP forbids.
  expect(await pageFetch(page, `http://evil.test:${api.port}/canary`)).toMatchObject({ ok: false });
  expect(await pageFetch(page, `${otherOrigin}/v1/canary`)).toMatchObject({ ok: false });
  const blocked = () => (app.cspReports as CspReport[]).map((r) => r['csp-report']?.['blocked-uri'] ?? '');
  await expect.poll(() => blocked().some((uri) => uri.startsWith(`http://evil.test:${api.port}`))).toBe(true);
  await expect.poll(() => blocked().some((uri) => uri.startsWith(otherOrigin))).toBe(true);

  const reports = (app.cspReports as CspReport[]).map((r) => ({
    document: new URL(r['csp-report']?.['document-uri'] ?? 'about:blank').pathname,
    directive: r['csp-report']?.['effective-directive'],
    blocked: r['csp-report']?.['blocked-uri'],
  }));
  expect(reports).toEqual([
    { document: '/', directive: 'connect-src', blocked: `http://evil.test:${api.port}/canary` },
    { document: '/sw.js', directive: 'connect-src', blocked: `${otherOrigin}/v1/canary` },
  ]);
  expect((await page.evaluate(() => window.harness.violations)).map((v) => v.directive)).toEqual(['connect-src']);
  // The page canary never reached anything; the worker one never left the worker.
  expect(api.requests((r) => r.url.includes('canary'))).toEqual([]);
  expect(otherApi.requests()).toEqual([]);
});

test('under Trusted Types a plain string worker URL is refused with a coded error; the app passes a TrustedScriptURL', async ({
  openApp,
  app,
  api,
}) => {
  app.setPageHeaders({ 'content-security-policy': pageCsp([api.origin('api.test')]) });
  const page = await openApp();
  const refused = await page.evaluate(() => window.harness.register());
  expect(refused).toMatchObject({ ok: false, code: 'registration-failed' });
  expect((refused as { message: string }).message).toMatch(/^Failed to register the token injector: .*TrustedScriptURL/);
  expect((await page.evaluate(() => window.harness.violations)).map((v) => v.directive)).toEqual(['require-trusted-types-for']);
  // The same page, through the app's policy: it works.
  expect(await page.evaluate((name) => window.harness.register({ trustedTypesPolicy: name }), POLICY_NAME)).toMatchObject({
    ok: true,
    controlled: true,
  });
  const token = await mintToken({ sub: 'trusted' });
  expect(await page.evaluate((t) => window.harness.handoff({ accessToken: t }), token)).toMatchObject({ ok: true });
  expect(await pageFetch(page, `${api.origin('api.test')}/v1/trusted`)).toMatchObject({ ok: true, status: 200 });
  expect(api.requests((r) => r.url === '/v1/trusted').map((r) => r.token === token)).toEqual([true]);
});
