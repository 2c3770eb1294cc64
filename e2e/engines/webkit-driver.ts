import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { STEP_TIMEOUT_MS, type BrowserSession, type EngineDriver, type RawTab } from './engine-driver.js';
import { startLoopbackProxy } from './loopback-proxy.js';
import { poll, sleep } from './wait.js';

/**
 * How long every page of a session stays away before its worker counts as stopped. WebKit offers
 * a driver no way to stop a service worker (nor does WebDriver, w3c/webdriver-bidi#694); it
 * terminates one that has had no client for 10 s (`terminationDelay` in WebCore's SWServer.cpp),
 * so leaving for a little longer stops it. The scenarios check that a new instance answers.
 */
const NO_CLIENT_MS = 12_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `WebKitWebDriver` on a free port, inside its own `xvfb-run` X server (MiniBrowser needs a display). */
async function startWebDriver(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  // detached: its own process group, so stopping it also stops Xvfb and MiniBrowser.
  const child: ChildProcess = spawn('xvfb-run', ['-a', '-s', '-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', process.env.BEARER_SW_ENGINE_LOGS === '1' ? 'inherit' : 'ignore'],
  });
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  // Also when the runner dies early: a detached group would otherwise outlive it.
  process.once('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  try {
    await poll(
      () => fetch(`${url}/status`).then((response) => response.ok, () => false),
      (ready) => ready || child.exitCode !== null,
      { what: 'WebKitWebDriver answering /status' },
    );
  } catch (error) {
    stop();
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`Failed to start WebKitWebDriver: xvfb-run exited with ${child.exitCode}`);
  return { url, stop };
}

/**
 * One WebDriver session: tabs are window handles, and WebDriver runs one command at a time on
 * the current window, so every tab operation queues behind the previous one.
 */
function webkitSession(driver: WebDriver): BrowserSession {
  let queue: Promise<unknown> = Promise.resolve();
  let current: string | null = null;
  const handles: string[] = [];
  let firstTabUsed = false;

  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  const focus = async (handle: string) => {
    if (current !== handle) await driver.switchTo().window(handle);
    current = handle;
  };
  const tab = (handle: string): RawTab => ({
    goto: (url) =>
      exclusive(async () => {
        await focus(handle);
        await driver.get(url);
      }),
    evaluate: (source, args) =>
      exclusive(async () => {
        await focus(handle);
        // W3C Execute Script awaits a returned promise.
        return driver.executeScript(`return (${source}).apply(null, arguments)`, ...args);
      }),
  });

  return {
    async openTab(url) {
      const handle = await exclusive(async () => {
        if (!firstTabUsed) {
          firstTabUsed = true;
          current = await driver.getWindowHandle();
        } else {
          await driver.switchTo().newWindow('tab');
          current = await driver.getWindowHandle();
        }
        handles.push(current);
        return current;
      });
      const opened = tab(handle);
      await opened.goto(url);
      return opened;
    },
    stopWorkers: () =>
      exclusive(async () => {
        const urls: string[] = [];
        for (const handle of handles) {
          await focus(handle);
          urls.push(await driver.getCurrentUrl());
          await driver.get('about:blank');
        }
        await sleep(NO_CLIENT_MS);
        for (const [index, handle] of handles.entries()) {
          await focus(handle);
          await driver.get(urls[index] ?? 'about:blank');
        }
      }),
    async close() {
      await exclusive(() => driver.quit()).catch(() => undefined);
    },
  };
}

/**
 * Starts WebKitGTK's MiniBrowser under `WebKitWebDriver` (selenium-webdriver) in an Xvfb display.
 * `WebKitWebDriver` serves one session at a time; sessions follow one another on it, each with
 * fresh ephemeral storage. Every request goes through {@link startLoopbackProxy}, which maps
 * every host name to 127.0.0.1.
 */
export async function launchWebKit(miniBrowser: string): Promise<EngineDriver> {
  const proxy = await startLoopbackProxy();
  let webDriver: { url: string; stop(): void };
  try {
    webDriver = await startWebDriver();
  } catch (error) {
    await proxy.close();
    throw error;
  }
  const capabilities = {
    browserName: 'MiniBrowser',
    // --automation is required: without it MiniBrowser refuses to be driven.
    'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation'] },
    proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:${proxy.port}` },
  };
  const open = async (): Promise<WebDriver> => {
    const driver = await new Builder().usingServer(webDriver.url).withCapabilities(capabilities).build();
    await driver.manage().setTimeouts({ script: STEP_TIMEOUT_MS, pageLoad: STEP_TIMEOUT_MS });
    return driver;
  };
  let version = 'unknown';
  try {
    const probe = await open();
    version = String((await probe.getCapabilities()).get('browserVersion') ?? 'unknown');
    await probe.quit();
  } catch (error) {
    webDriver.stop();
    await proxy.close();
    throw error;
  }
  return {
    engine: 'webkit',
    version,
    newSession: async () => webkitSession(await open()),
    async close() {
      webDriver.stop();
      await proxy.close();
    },
  };
}
