import type { BrowserContext } from 'playwright';

import { waitFor } from './wait-for.js';

/**
 * Stops every service worker of the browser through the DevTools protocol (`ServiceWorker.stopAllWorkers`), as the
 * browser itself does to an idle worker, and waits until DevTools reports each of them stopped.
 *
 * @returns how many worker versions DevTools reported, and whether all of them stopped within `timeoutMs`
 */
export async function stopServiceWorkers(context: BrowserContext, timeoutMs = 10_000): Promise<{ versions: number; stopped: boolean }> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  const running = new Map<string, string>();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const version of versions) running.set(version.versionId, version.runningStatus);
  });
  try {
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    const stopped = await waitFor(() => running.size > 0 && [...running.values()].every((status) => status === 'stopped'), timeoutMs);
    return { versions: running.size, stopped };
  } finally {
    await cdp.detach();
  }
}
