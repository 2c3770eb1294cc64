import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { callExpression, type BrowserSession, type EngineDriver, type RawTab } from './engine-driver.js';

/** The raw WebDriver BiDi connection puppeteer keeps (public on its BiDi browser, not in the `Browser` type). */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

interface EvaluateResult {
  type: 'success' | 'exception';
  result?: { type: string; value?: unknown };
  exceptionDetails?: { text: string };
}

// Privileged (chrome-scope) script: terminate the active worker of every registration, as the
// CDP ServiceWorker.stopAllWorkers does in Chromium. Needs --remote-allow-system-access. WebDriver
// BiDi has no command for it yet (w3c/webdriver-bidi#694).
const STOP_ALL_WORKERS = `(() => {
  const manager = Cc['@mozilla.org/serviceworkers/manager;1'].getService(Ci.nsIServiceWorkerManager);
  const registrations = manager.getAllRegistrations();
  let stopped = 0;
  for (let i = 0; i < registrations.length; i += 1) {
    const registration = registrations.queryElementAt(i, Ci.nsIServiceWorkerRegistrationInfo);
    if (registration.activeWorker) {
      registration.activeWorker.terminateWorker();
      stopped += 1;
    }
  }
  return stopped;
})()`;

async function stopAllWorkers(browser: Browser): Promise<void> {
  const connection = (browser as unknown as { connection: BidiConnection }).connection;
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })).result as { contexts: Array<{ context: string }> };
  const chrome = tree.contexts[0]?.context;
  if (chrome === undefined) throw new Error('Failed to stop the service workers: Firefox exposed no chrome browsing context');
  const outcome = (await connection.send('script.evaluate', { expression: STOP_ALL_WORKERS, target: { context: chrome }, awaitPromise: false }))
    .result as EvaluateResult;
  if (outcome.type === 'exception') throw new Error(`Failed to stop the service workers: ${outcome.exceptionDetails?.text ?? 'script failed'}`);
}

function rawTab(page: Page): RawTab {
  return {
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    evaluate: (source, args) => page.evaluate(callExpression(source, args)),
  };
}

/**
 * Launches Firefox (ESR) headless through puppeteer-core over WebDriver BiDi. Every session is a
 * new user context (its own cookies, storage and service workers). `hosts` resolve to 127.0.0.1
 * (`network.dns.localDomains`, the counterpart of Chromium's `--host-resolver-rules`).
 */
export async function launchFirefox(executablePath: string, hosts: readonly string[]): Promise<EngineDriver> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'network.dns.localDomains': hosts.join(','),
      'network.proxy.type': 0,
      // No DNS over HTTPS: names resolve locally or not at all.
      'network.trr.mode': 5,
    },
    protocolTimeout: 60_000,
  });
  return {
    engine: 'firefox',
    version: await browser.version(),
    async newSession(): Promise<BrowserSession> {
      const context: BrowserContext = await browser.createBrowserContext();
      return {
        async openTab(url) {
          const tab = rawTab(await context.newPage());
          await tab.goto(url);
          return tab;
        },
        stopWorkers: () => stopAllWorkers(browser),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
