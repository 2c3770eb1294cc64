import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from './scripts/find-chromium.mjs';

// Several runs may share this checkout (a developer and CI, or parallel sessions): each run keeps
// its artefacts in its own folder so one run's clean-up never deletes another's traces. Workers
// inherit the variable from the main process, so they agree on the folder.
process.env.BEARER_SW_PW_RUN ??= `${Date.now().toString(36)}-${process.pid}`;

const browser = findChromium();
if (browser === null) throw new Error(INSTALL_HINT);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: `test-results/runs/${process.env.BEARER_SW_PW_RUN}`,
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: process.env.CI ? 2 : 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.BEARER_SW_E2E_REPORT ?? 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: browser.path, args: CHROMIUM_ARGS },
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
  },
});
