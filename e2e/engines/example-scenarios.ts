/**
 * examples/vite-spa in every engine: installed from the packed tarball, its worker built by
 * bearerSw() (a classic script) and served by the dev server or by `vite build` + `vite preview`.
 * The page is driven as a person would use it (its buttons, the provider's login and consent
 * forms; the worker runs the login); the assertions are on what the provider and the API received
 * and verified, what the page can read (no credential), before and after a new version of the
 * worker (an edit of a module the worker imports) takes over.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startExample, type ExampleMode } from '../support/examples.js';
import { credentialsOf, EXPOSED_TEXT_SOURCE, exposedCredentials } from '../support/exposed-text.js';
import type { RawTab } from './engine-driver.js';
import type { Scenario } from './scenario.js';
import { poll, withTimeout } from './wait.js';

/** Runs `source` (a function expression returning JSON-able data) in the page; `null` while the page is navigating. */
async function look<T>(tab: RawTab, source: string, ...args: unknown[]): Promise<T | null> {
  try {
    const text = await withTimeout(tab.evaluate(`async (...args) => JSON.stringify(await (${source})(...args))`, args), 15_000, 'read the page');
    return typeof text === 'string' ? (JSON.parse(text) as T) : null;
  } catch {
    // The page navigated away during the call (a form submitted, a redirect): read it again.
    return null;
  }
}

/** Clicks `selector` after the current call returned, so a navigation it starts does not cut the call off. */
const click = (tab: RawTab, selector: string) => look(tab, '(s) => { setTimeout(() => document.querySelector(s).click(), 0); return true; }', selector);

interface PageView {
  origin: string;
  ready: string | null;
  state: string | null;
  prompt: string | null;
}

const view = (tab: RawTab) =>
  look<PageView>(
    tab,
    `() => ({
      origin: location.origin,
      ready: document.body && document.body.dataset.ready || null,
      state: document.body && document.body.dataset.state || null,
      prompt: (document.querySelector('input[name="prompt"]') || {}).value || null,
    })`,
  );

async function waitFor(tab: RawTab, what: string, done: (v: PageView) => boolean): Promise<void> {
  await poll(() => view(tab), (v) => v !== null && done(v), { what, timeoutMs: 30_000, intervalMs: 200 });
}

function exampleSpa(mode: ExampleMode): Scenario {
  return {
    name: `examples/vite-spa built by bearerSw() (${mode === 'dev' ? 'vite dev' : 'vite build + preview'}): classic worker, login in the worker, the API gets the token, the page reads none, a new version keeps the session`,
    async run(context) {
      const example = await startExample('vite-spa', mode);
      try {
        const tab = await context.openPage(example.url);
        await waitFor(tab, 'the example registered its worker', (v) => v.ready === 'yes');
        const controller = await look<string | null>(tab, '() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL');
        assert.equal(controller, `${example.origin}/sw.js`);

        await click(tab, '#login');
        const provider = new URL(example.oidc.issuer).origin;
        await waitFor(tab, 'the provider login form', (v) => v.origin === provider && v.prompt === 'login');
        await look(tab, `() => {
          document.querySelector('input[name="login"]').value = 'carol';
          document.querySelector('input[name="password"]').value = 'any password';
          setTimeout(() => document.querySelector('button[type="submit"]').click(), 0);
          return true;
        }`);
        await waitFor(tab, 'the consent form', (v) => v.origin === provider && v.prompt === 'consent');
        await click(tab, 'button[type="submit"]');
        await waitFor(tab, 'back in the app, logged in', (v) => v.origin === example.origin && v.state === 'authenticated');

        // The worker exchanged the code, from the app's origin, and sent the tab back where it started.
        assert.deepEqual(example.oidc.record.tokenRequests, [{ grantType: 'authorization_code', origin: example.origin, status: 200, dpop: false }]);
        assert.equal(await look<string>(tab, '() => location.href'), example.url);

        const callApi = (path: string) => look<number>(tab, '(url) => fetch(url).then((r) => r.status)', `${example.apiOrigin}${path}`);
        assert.equal(await callApi('/v1/me'), 200);
        const seen = (path: string) =>
          example.api.requests((r) => r.url === path).map((r) => (r.verification?.ok ? `${r.tokenHeader}:${r.verification.sub}` : `no token`));
        assert.deepEqual(seen('/v1/me'), ['authorization:carol']);
        // The very access token the provider issued at that exchange.
        assert.deepEqual(example.api.requests((r) => r.url === '/v1/me').map((r) => r.token), [example.oidc.record.issued[0]?.accessToken]);
        // No token, code or verifier is readable by the page (URL, history, DOM, globals, storages, cookies).
        const secrets = credentialsOf(example.oidc.record);
        assert.ok(secrets.length >= 5, `the provider recorded the login's credentials (${secrets.length})`);
        const exposed = await look<string>(tab, EXPOSED_TEXT_SOURCE);
        assert.ok(typeof exposed === 'string' && exposed.includes(example.origin), 'the page was scanned');
        assert.deepEqual(exposedCredentials(exposed, secrets), [], 'a credential is readable by the page');

        // A new worker version: the token moves to a raw X-Api-Token header. The dev server
        // rebuilds on the browser's next request for the script; the build is run again.
        const allowlist = join(example.dir, 'src', 'allowlist.ts');
        const source = await readFile(allowlist, 'utf8');
        assert.ok(source.includes("paths: ['/v1'] }"), 'the example allowlist has the expected rule');
        await writeFile(allowlist, source.replace("paths: ['/v1'] }", "paths: ['/v1'], header: 'X-Api-Token', scheme: null }"));
        if (mode === 'build') await example.rebuild();
        const before = await look<string>(tab, '() => navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => "checked")');
        assert.equal(before, 'checked');
        await poll(
          () => look<boolean>(tab, '() => navigator.serviceWorker.getRegistration().then((r) => r.active !== null && r.installing === null && r.waiting === null && navigator.serviceWorker.controller === r.active)'),
          (settled) => settled === true,
          { what: 'the new worker active and in control', timeoutMs: 30_000, intervalMs: 200 },
        );
        assert.equal(await callApi('/v1/after-update'), 200);
        // The new version's rule, the same session (from IndexedDB), still one login.
        assert.deepEqual(seen('/v1/after-update'), ['x-api-token:carol']);
        assert.equal(example.oidc.stats.codeGrants, 1);
      } finally {
        await example.close();
      }
    },
  };
}

/** The example scenarios: dev server and production build. */
export const exampleScenarios: readonly Scenario[] = [exampleSpa('dev'), exampleSpa('build')];
