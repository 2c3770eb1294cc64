import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { launchChromium } from './chromium-driver.js';
import type { EngineDriver, EngineName } from './engine-driver.js';
import { TEST_HOSTS } from './environment.js';
import { launchFirefox } from './firefox-driver.js';
import { launchWebKit } from './webkit-driver.js';

/** How to find and start one engine's browser. */
export interface Engine {
  name: EngineName;
  /** The command that installs what is missing (Debian, as root). */
  install: string;
  /** The browser binary to launch, or why there is none. */
  find(): { binary: string } | { missing: string };
  launch(binary: string): Promise<EngineDriver>;
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

/** MiniBrowser ships inside libwebkit2gtk, under the multiarch library directory. */
function findMiniBrowser(): string | null {
  if (process.env.BEARER_SW_MINIBROWSER) return process.env.BEARER_SW_MINIBROWSER;
  const roots = ['/usr/lib', '/usr/libexec'];
  for (const root of roots) {
    const dirs = existsSync(root) ? readdirSync(root).map((name) => join(root, name)) : [];
    for (const dir of [root, ...dirs]) {
      for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
        const candidate = join(dir, api, 'MiniBrowser');
        if (existsSync(candidate)) return candidate;
      }
    }
  }
  return null;
}

export const ENGINES: readonly Engine[] = [
  {
    name: 'chromium',
    install: 'apt-get install -y chromium',
    find() {
      let found: { path: string } | null;
      try {
        found = findChromium();
      } catch (error) {
        return { missing: (error as Error).message.split('\n')[0] ?? 'no Chromium' };
      }
      return found === null ? { missing: 'no Chromium (BEARER_SW_CHROMIUM, /usr/bin/chromium or Playwright’s own)' } : { binary: found.path };
    },
    launch: (binary) => launchChromium(binary),
  },
  {
    name: 'firefox',
    install: 'apt-get install -y firefox-esr',
    find() {
      const binary = process.env.BEARER_SW_FIREFOX ?? onPath('firefox-esr') ?? onPath('firefox');
      if (binary === null || binary === undefined) return { missing: 'no firefox-esr or firefox on PATH (or BEARER_SW_FIREFOX)' };
      return existsSync(binary) ? { binary } : { missing: `BEARER_SW_FIREFOX=${binary} does not exist` };
    },
    launch: (binary) => launchFirefox(binary, TEST_HOSTS),
  },
  {
    name: 'webkit',
    install: 'apt-get install -y webkit2gtk-driver xvfb xauth',
    find() {
      const missing = [
        onPath('WebKitWebDriver') === null && 'WebKitWebDriver',
        onPath('xvfb-run') === null && 'xvfb-run',
        onPath('xauth') === null && 'xauth',
      ].filter((name) => name !== false);
      const miniBrowser = findMiniBrowser();
      if (miniBrowser === null) missing.push('MiniBrowser');
      return missing.length > 0 || miniBrowser === null ? { missing: `no ${missing.join(', ')}` } : { binary: miniBrowser };
    },
    launch: (binary) => launchWebKit(binary),
  },
];
