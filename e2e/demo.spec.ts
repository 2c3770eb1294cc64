// `npm run demo`, headless, as part of the suite: every step of the story must hold, as the demo's servers recorded
// it. The demo launches its own Chromium and starts its own servers, so this test uses no fixture.
import { expect, test } from '@playwright/test';

import { runDemo } from '../src/demo/run-demo.js';

test('the demo: every step holds against the real provider, API and worker', async ({}, testInfo) => {
  // Three waits for a 10 s token to expire, plus two builds and two logins; the bound is generous for a busy machine.
  test.setTimeout(150_000);
  const outputDir = testInfo.outputPath('demo');
  // The global setup built dist/ already; never rebuild it under the other specs.
  const { summary } = await runDemo({ outputDir, print: () => undefined, packageBuild: 'if-missing' });
  await testInfo.attach('summary.json', { path: `${outputDir}/summary.json`, contentType: 'application/json' });

  const failures = summary.steps
    .filter((step) => !step.ok)
    .map((step) => `${step.n}. ${step.title}: ${step.checks.filter((item) => !item.ok).map((item) => `${item.name} (${item.detail ?? ''})`).join('; ')}`);
  expect(failures).toEqual([]);
  expect(summary.steps.map((step) => step.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(summary.ok).toBe(true);
  expect(summary.servers.refreshCalls).toBeGreaterThanOrEqual(3);
});
