import { buildFixtures } from './build-fixtures.js';
import { packTarball } from './examples.js';

/** Playwright global setup: build the package and the test app, and pack the tarball the examples install, once per run. */
export default async function globalSetup(): Promise<void> {
  if (process.env.BEARER_SW_SKIP_BUILD === '1') return;
  await buildFixtures();
  packTarball();
}
