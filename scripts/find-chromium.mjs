// Finds a Chromium for the tests, the demo and the benchmark: an env var, then Debian's
// /usr/bin/chromium, then Playwright's own download.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Flags every launch uses: no sandbox (CI runs as root), and no calls home on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // Realistic host names on loopback: api.test, evil.test, …
  '--host-resolver-rules=MAP *.test 127.0.0.1',
];

export const INSTALL_HINT = [
  'No Chromium found for bearer-sw. Do one of:',
  '  - set BEARER_SW_CHROMIUM=/path/to/chromium (or CHROMIUM_PATH),',
  '  - Debian/Ubuntu: sudo apt-get install -y chromium   (gives /usr/bin/chromium),',
  '  - elsewhere: npx playwright install chromium',
].join('\n');

/**
 * @returns {{ path: string; source: string } | null} the browser to use, or null when there is none
 * @throws {Error} when an env var names a file that does not exist
 */
export function findChromium() {
  for (const name of ['BEARER_SW_CHROMIUM', 'CHROMIUM_PATH']) {
    const value = process.env[name];
    if (value) {
      if (!existsSync(value)) throw new Error(`${name}=${value} does not exist.\n${INSTALL_HINT}`);
      return { path: value, source: name };
    }
  }
  if (existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: '/usr/bin/chromium' };
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    const own = chromium.executablePath();
    if (own && existsSync(own)) return { path: own, source: 'playwright' };
  } catch {
    // playwright-core absent or no browser downloaded: fall through
  }
  return null;
}
