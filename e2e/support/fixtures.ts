import { chromium, test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/find-chromium.mjs';
import { mintToken } from './tokens.js';
import { startAppServer, type AppServer } from './app-server.js';
import { APP_BUILD } from './paths.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';
import type { TestWorkerConfig } from './sw-config.js';

/** The standard allowlist: Bearer under /v1 and a raw custom header under /custom, on api.test. */
export function defaultConfig(api: RecordingServer): TestWorkerConfig {
  return {
    apis: [
      { origin: api.origin('api.test'), paths: ['/v1'] },
      { origin: api.origin('api.test'), paths: ['/custom'], header: 'x-api-token', scheme: null },
    ],
  };
}

interface WorkerFixtures {
  api: RecordingServer;
  /** The same kind of server on another port: another origin under the same host name. */
  otherApi: RecordingServer;
  app: AppServer;
}

interface TestFixtures {
  /** Opens the test app in a page of this test's context; `query` is appended to the URL. */
  openApp: (page?: Page, query?: string) => Promise<Page>;
  /** Stops every service worker of this context (DevTools: ServiceWorker.stopAllWorkers). */
  stopWorkers: () => Promise<void>;
  /** Sets this test's worker config; defaults to {@link defaultConfig}. */
  useConfig: (config: TestWorkerConfig) => void;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  api: [
    async ({}, use) => {
      const server = await startRecordingServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  otherApi: [
    async ({}, use) => {
      const server = await startRecordingServer();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  app: [
    async ({ api }, use) => {
      const server = await startAppServer(APP_BUILD, defaultConfig(api));
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  useConfig: async ({ app, api, otherApi }, use) => {
    app.setConfig(defaultConfig(api));
    app.setPageHeaders({});
    app.setScriptHeaders({});
    app.setRoutes({});
    app.setDelays({});
    api.clear();
    otherApi.clear();
    await use((config) => app.setConfig(config));
    app.setConfig(defaultConfig(api));
    app.setPageHeaders({});
    app.setScriptHeaders({});
    app.setRoutes({});
    app.setDelays({});
  },
  openApp: async ({ context, app, useConfig: _ }, use) => {
    await use(async (page, query = '') => {
      const target = page ?? (await context.newPage());
      await target.goto(`${app.origin}/${query}`);
      await target.waitForFunction(() => document.documentElement.dataset.ready === 'true');
      return target;
    });
  },
  stopWorkers: async ({ context }, use) => {
    await use(async () => stopAllWorkers(context));
  },
});

/**
 * Stops every service worker the browser runs, through the DevTools protocol, and waits until
 * DevTools reports each of them stopped.
 */
export async function stopAllWorkers(context: BrowserContext): Promise<void> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  const running = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) running.set(v.versionId, v.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await expect.poll(() => [...running.values()].every((status) => status === 'stopped') && running.size > 0).toBe(true);
  await cdp.detach();
}

/** Reloads bypassing the cache, as Shift+Reload does: the page comes back uncontrolled. */
export async function hardReload(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const loaded = page.waitForEvent('load');
  await cdp.send('Page.reload', { ignoreCache: true });
  await loaded;
  await cdp.detach();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
}

/** Registers, then hands over a fresh token; returns it. */
export async function signIn(page: Page, tokens: { expiresIn?: number; sub?: string } = {}): Promise<string> {
  await register(page);
  const token = await mintToken({ sub: tokens.sub ?? 'user-1' });
  const result = await page.evaluate(([t, e]) => window.harness.handoff(e === null ? { accessToken: t } : { accessToken: t, expiresIn: e }), [
    token,
    tokens.expiresIn ?? 300,
  ] as const);
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true, state: 'authenticated' });
  return token;
}

/** Registers the worker from the page and checks it controls the page. */
export async function register(page: Page, options: { timeout?: number } = {}): Promise<void> {
  const result = await page.evaluate((o) => window.harness.register(o), options);
  expect(result, JSON.stringify(result)).toMatchObject({ ok: true, controlled: true });
}

/** `fetch()` from the page; returns status and body (or the error). */
export function pageFetch(page: Page, url: string, init: RequestInit = {}) {
  return page.evaluate(([u, i]) => window.harness.fetch(u, i), [url, init] as const);
}

/**
 * Runs `body` with a Chromium on a profile of its own that outlives the browser: `launch()` starts
 * it (again) on that profile, so closing the context and launching anew is a browser restart. The
 * profile is removed afterwards.
 */
export async function withPersistentProfile(body: (launch: () => Promise<BrowserContext>) => Promise<void>): Promise<void> {
  const browser = findChromium();
  if (browser === null) throw new Error('no chromium');
  const profile = await mkdtemp(join(tmpdir(), 'bearer-sw-profile-'));
  try {
    await body(() => chromium.launchPersistentContext(profile, { executablePath: browser.path, args: CHROMIUM_ARGS }));
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Opens the app at `origin` in a new page of `context`, once its page module is ready. */
export async function openAppIn(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(origin);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  return page;
}

export { expect };
