import { DemoTab } from '../demo-tab.js';
import { check, type DemoStep } from '../step.js';

/** Step 1: open the SPA, which registers its service worker. */
export const registerStep: DemoStep = {
  id: 'register',
  title: 'Register the service worker',
  async run(run) {
    const tab = await DemoTab.open(run.context, run.stack.config.appOrigin, 'A');
    run.tabA = tab;
    const scriptURL = await tab.page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null);
    return {
      show: tab,
      checks: [
        check('the app server served the worker script /sw.js', run.stack.app.requested.includes('/sw.js')),
        check('the worker controls tab A', scriptURL === `${run.stack.config.appOrigin}/sw.js`, scriptURL ?? 'no controller'),
        check('the session starts signed out', (await tab.state()) === 'unauthenticated'),
      ],
    };
  },
};
