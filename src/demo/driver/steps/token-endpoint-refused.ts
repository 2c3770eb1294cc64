import { check, requireTab, type DemoStep } from '../step.js';

/**
 * Step 3b: a script in the page (an injected one, say) POSTs to the provider's token endpoint to redeem a code or a
 * refresh token itself. The worker, which runs the login, refuses it with a 403; the provider never sees it.
 */
export const tokenEndpointRefusedStep: DemoStep = {
  id: 'token-endpoint',
  title: 'A page script is refused at the token endpoint',
  async run(run) {
    const tab = requireTab(run.tabA, 'A');
    const { provider } = run.stack;
    const mark = provider.record.tokenRequests.length;
    const outcome = await tab.page.evaluate(() => window.demo.postToTokenEndpoint());
    const reached = provider.record.tokenRequests.length - mark;
    return {
      show: tab,
      checks: [
        check("the page's POST got a 403 from the worker, coded not-allowed", outcome.status === 403 && outcome.error === 'not-allowed', `${outcome.status} ${outcome.error ?? ''}`),
        check('the provider received no request from the page', reached === 0, `${reached} request(s) reached it`),
        check('the session goes on', (await tab.state()) === 'authenticated'),
      ],
    };
  },
};
