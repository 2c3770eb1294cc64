import type { BrowserContext, Page } from '@playwright/test';

/** Opens the bench page in `context` and waits until `window.bench` is there. */
export async function openBenchPage(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page] ${error.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  return page;
}
