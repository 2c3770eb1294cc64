import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from './scripts/find-chromium.mjs';

const browser = findChromium();
if (browser === null) throw new Error(INSTALL_HINT);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: browser.path, args: CHROMIUM_ARGS },
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
  },
});
