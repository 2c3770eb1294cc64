import { test as base, expect, type Page } from '@playwright/test';
import { startExample, type ExampleMode, type RunningExample } from './examples.js';

/** Running examples, started on first use and kept for the rest of the Playwright worker. */
export interface Examples {
  /**
   * The example `name` served in `mode` with its OAuth stack: started (copied, installed, built)
   * once per worker and mode, so once per run with `--workers=1`; the API's records are cleared
   * on every call, so each test sees only its own requests.
   */
  get(name: string, mode: ExampleMode, options?: { base?: string }): Promise<RunningExample>;
}

/** Playwright's `test` with {@link Examples}. */
export const test = base.extend<object, { examples: Examples }>({
  examples: [
    async ({}, use) => {
      const running = new Map<string, Promise<RunningExample>>();
      try {
        await use({
          async get(name, mode, options = {}) {
            const key = `${name}:${mode}:${options.base ?? ''}`;
            let example = running.get(key);
            if (example === undefined) {
              example = startExample(name, mode, options);
              running.set(key, example);
            }
            const ready = await example;
            ready.api.clear();
            return ready;
          },
        });
      } finally {
        for (const example of running.values()) await example.then((e) => e.close(), () => undefined);
      }
    },
    { scope: 'worker' },
  ],
});

export { expect };

/**
 * Logs in on oidc-provider's development pages (any name, any password, then consent) after the
 * app sent the browser there; resolves once the browser is back on `appOrigin`.
 */
export async function logInAtProvider(page: Page, appOrigin: string, username: string): Promise<void> {
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // The consent page (offline_access asks for it every time).
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.origin === appOrigin, { timeout: 20_000 });
}
