import type { BrowserContext, CDPSession, Page } from '@playwright/test';

/** Watches a context's service workers over DevTools and stops them on demand. */
export interface WorkerControl {
  /** `ServiceWorker.stopAllWorkers`, then waits until DevTools reports every version stopped. */
  stopAll(): Promise<void>;
  detach(): Promise<void>;
}

/** Attaches to `page`'s context through the DevTools protocol. */
export async function controlWorkers(context: BrowserContext, page: Page): Promise<WorkerControl> {
  const cdp: CDPSession = await context.newCDPSession(page);
  const running = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) running.set(version.versionId, version.runningStatus);
  });
  await cdp.send('ServiceWorker.enable');
  return {
    async stopAll() {
      await cdp.send('ServiceWorker.stopAllWorkers');
      const deadline = Date.now() + 10_000;
      while (!(running.size > 0 && [...running.values()].every((status) => status === 'stopped'))) {
        if (Date.now() > deadline) throw new Error(`workers did not stop: ${JSON.stringify([...running])}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    detach: () => cdp.detach(),
  };
}
