import { waitForLatestTokenToExpire } from '../api-records.js';
import type { DemoTab } from '../demo-tab.js';
import { check, requireTab, type DemoStep } from '../step.js';
import { sleep, waitFor } from '../wait-for.js';

/** How long the tabs get to hear that the session ended. */
const NEWS_TIMEOUT_MS = 10_000;
/** After the news, a moment for a duplicate `session-invalid` to show up if there were one. */
const SETTLE_MS = 500;

async function invalidEvents(tab: DemoTab): Promise<string[]> {
  return (await tab.events()).filter((event) => event.type === 'session-invalid').map((event) => event.reason ?? '');
}

/**
 * Step 7: the session is revoked at the provider. When the access token expires, the worker's refresh is refused
 * (`invalid_grant`); the session ends in every tab, and requests go on without a token.
 */
export const revokedSessionStep: DemoStep = {
  id: 'revoked',
  title: 'Session revoked at the provider; every tab shows it ended',
  async run(run) {
    const tabA = requireTab(run.tabA, 'A');
    const tabB = requireTab(run.tabB, 'B');
    const { api, refreshCounter, provider } = run.stack;
    const destroyed = await provider.revokeAllGrants();
    await waitForLatestTokenToExpire(run.stack);

    const mark = api.records.length;
    const refreshMark = refreshCounter.refreshCalls;
    const grantMark = provider.stats.refreshGrants;
    await tabA.call('api', '/v1/me');
    await waitFor(async () => (await invalidEvents(tabA)).length > 0 && (await invalidEvents(tabB)).length > 0, NEWS_TIMEOUT_MS);
    await sleep(SETTLE_MS);

    const record = api.records[mark];
    const refreshes = refreshCounter.refreshCalls - refreshMark;
    const grants = provider.stats.refreshGrants - grantMark;
    const [eventsA, eventsB] = await Promise.all([invalidEvents(tabA), invalidEvents(tabB)]);
    const [shownA, shownB] = await Promise.all([tabA.shownState(), tabB.shownState()]);
    const once = (reasons: string[]) => reasons.length === 1 && reasons[0] === 'refresh-rejected';
    return {
      show: tabB,
      checks: [
        check('the provider revoked the grant', destroyed >= 1, `${destroyed} grant(s) destroyed`),
        check('the worker tried exactly one refresh, and the provider refused it', refreshes === 1 && grants === 0, `${refreshes} call(s), ${grants} grant(s)`),
        check(
          'the call went to the API without a token (401)',
          record !== undefined && record.token === null && record.status === 401,
          record === undefined ? 'no request arrived' : `${record.status}, token: ${record.token === null ? 'none' : 'present'}`,
        ),
        check('tab A and tab B each received one session-invalid (refresh-rejected)', once(eventsA) && once(eventsB), { tabA: eventsA, tabB: eventsB }),
        check(
          'both tabs show the session ended',
          [shownA, shownB].every((shown) => shown?.startsWith('Session ended') === true),
          `tab A: ${shownA}, tab B: ${shownB}`,
        ),
      ],
    };
  },
};
