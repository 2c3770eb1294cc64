import type { BrowserContext, Page } from 'playwright';

import type { SessionState } from 'bearer-sw/client';

import type { CallOutcome, CallTarget, DemoEvent } from '../app/demo-page-api.js';

/** How long a page may take to load, register its worker and say it is ready. */
const READY_TIMEOUT_MS = 15_000;

/** One browser tab running the demo SPA, driven through `window.demo`. */
export class DemoTab {
  readonly page: Page;
  readonly name: string;

  constructor(page: Page, name: string) {
    this.page = page;
    this.name = name;
  }

  /** Opens the SPA as tab `name` in a new page and waits until it is ready. */
  static async open(context: BrowserContext, appOrigin: string, name: string): Promise<DemoTab> {
    const tab = new DemoTab(await context.newPage(), name);
    await tab.page.goto(`${appOrigin}/?tab=${encodeURIComponent(name)}`);
    await tab.ready();
    return tab;
  }

  /**
   * Playwright makes every page believe it has focus; this turns that emulation off for the page's current document
   * process, so `document.hasFocus()` tells which tab is really in front. The DevTools session stays attached: a
   * session's emulation settings end when it detaches.
   */
  async useRealFocus(): Promise<void> {
    const cdp = await this.page.context().newCDPSession(this.page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  }

  /** Whether this tab is the one in front (`document.hasFocus()`). */
  hasFocus(): Promise<boolean> {
    return this.page.evaluate(() => document.hasFocus());
  }

  /** Waits until the SPA has registered its worker (and finished a login callback, if it was on one). */
  async ready(): Promise<void> {
    const handle = await this.page.waitForFunction(() => document.documentElement.dataset.ready, undefined, { timeout: READY_TIMEOUT_MS });
    const ready = await handle.jsonValue();
    if (ready !== 'true') throw new Error(`Failed to start tab ${this.name}: ${await this.page.locator('#banner').textContent()}`);
  }

  state(): Promise<SessionState> {
    return this.page.evaluate(() => window.demo.state());
  }

  controlled(): Promise<boolean> {
    return this.page.evaluate(() => window.demo.controlled());
  }

  events(): Promise<DemoEvent[]> {
    return this.page.evaluate(() => window.demo.events());
  }

  loginError(): Promise<string | null> {
    return this.page.evaluate(() => window.demo.loginError());
  }

  call(target: CallTarget, path: string): Promise<CallOutcome> {
    return this.page.evaluate(([t, p]) => window.demo.call(t, p), [target, path] as const);
  }

  burst(count: number, path: string): Promise<CallOutcome[]> {
    return this.page.evaluate(([n, p]) => window.demo.burst(n, p), [count, path] as const);
  }

  startPolling(intervalMs: number): Promise<void> {
    return this.page.evaluate((ms) => window.demo.startPolling(ms), intervalMs);
  }

  stopPolling(): Promise<CallOutcome[]> {
    return this.page.evaluate(() => window.demo.stopPolling());
  }

  /** Clicks the page's Log out button. */
  async logout(): Promise<void> {
    await this.page.click('#logout');
  }

  /** What the page shows as its session state (`Signed in`, `Session ended · …`, `Signed out`). */
  shownState(): Promise<string | null> {
    return this.page.locator('#state').textContent();
  }
}
