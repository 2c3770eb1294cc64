/**
 * examples/vite-spa in every engine: installed from the packed tarball, its worker built by
 * bearerSw() (a classic script) and served by the dev server or by `vite build` + `vite preview`.
 * The page is driven as a person would use it (its buttons, the provider's login and consent
 * forms); the assertions are on what the API received and verified.
 */
import assert from 'node:assert/strict';
import { startExample, type ExampleMode } from '../support/examples.js';
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
    name: `examples/vite-spa built by bearerSw() (${mode === 'dev' ? 'vite dev' : 'vite build + preview'}): classic worker, login, the API gets the token`,
    async run(context) {
      const example = await startExample('vite-spa', mode);
      try {
        const tab = await context.openPage(example.origin);
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

        const status = await look<number>(tab, '(url) => fetch(url).then((r) => r.status)', `${example.apiOrigin}/v1/me`);
        assert.equal(status, 200);
        const seen = example.api.requests((r) => r.url === '/v1/me').map((r) => r.verification);
        assert.deepEqual(seen, [{ ok: true, sub: 'carol', jti: seen[0]?.ok ? seen[0].jti : 'missing' }]);
        assert.equal(example.oidc.stats.codeGrants, 1);
      } finally {
        await example.close();
      }
    },
  };
}

/** The example scenarios: dev server and production build. */
export const exampleScenarios: readonly Scenario[] = [exampleSpa('dev'), exampleSpa('build')];
