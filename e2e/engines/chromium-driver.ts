import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../scripts/find-chromium.mjs';
import { callExpression, type BrowserSession, type EngineDriver, type RawTab } from './engine-driver.js';
import { poll } from './wait.js';

function rawTab(page: Page): RawTab {
  return {
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    evaluate: (source, args) => page.evaluate(callExpression(source, args)),
  };
}

/**
 * Stops every service worker of the context through the DevTools protocol
 * (`ServiceWorker.stopAllWorkers`) and waits until DevTools reports each of them stopped.
 */
async function stopAllWorkers(context: BrowserContext): Promise<void> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  const running = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) running.set(v.versionId, v.runningStatus);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await poll(
      async () => [...running.values()],
      (statuses) => statuses.length > 0 && statuses.every((status) => status === 'stopped'),
      { what: 'every service worker stopped' },
    );
  } finally {
    await cdp.detach();
  }
}

/**
 * Launches Chromium (Playwright, the same binary and flags as the Playwright specs); every
 * session is a new incognito-like context. `*.test` resolves to 127.0.0.1 (`CHROMIUM_ARGS`).
 */
export async function launchChromium(executablePath: string): Promise<EngineDriver> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  return {
    engine: 'chromium',
    version: browser.version(),
    async newSession(): Promise<BrowserSession> {
      const context = await browser.newContext({ serviceWorkers: 'allow' });
      return {
        async openTab(url) {
          const page = await context.newPage();
          const tab = rawTab(page);
          await tab.goto(url);
          return tab;
        },
        stopWorkers: () => stopAllWorkers(context),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
