import { tokenIds, verifiedToken, waitForLatestTokenToExpire } from '../api-records.js';
import { check, requireTab, type DemoStep } from '../step.js';

/** Parallel calls per tab. */
const PER_TAB = 20;

/** Step 5: once the token has expired, both tabs fire a burst of parallel calls; one refresh serves them all. */
export const parallelBurstStep: DemoStep = {
  id: 'burst',
  title: `${2 * PER_TAB} parallel calls on an expired token, one refresh`,
  async run(run) {
    const tabA = requireTab(run.tabA, 'A');
    const tabB = requireTab(run.tabB, 'B');
    const { api, refreshCounter, provider } = run.stack;
    const expired = await waitForLatestTokenToExpire(run.stack);

    const mark = api.records.length;
    const refreshMark = refreshCounter.refreshCalls;
    const grantMark = provider.stats.refreshGrants;
    await Promise.all([tabA.burst(PER_TAB, '/v1/items'), tabB.burst(PER_TAB, '/v1/items')]);
    const seen = api.records.slice(mark);
    const ids = tokenIds(seen);
    const refreshes = refreshCounter.refreshCalls - refreshMark;
    const grants = provider.stats.refreshGrants - grantMark;
    return {
      show: tabA,
      checks: [
        check('the last token the API saw had expired before the burst', expired !== null && Date.now() / 1000 > expired.exp),
        check(
          `the API received ${2 * PER_TAB} requests, all with a verified token, all 200`,
          seen.length === 2 * PER_TAB && seen.every((record) => record.status === 200 && verifiedToken(record) !== null),
          `${seen.length} requests, ${seen.filter((record) => record.status === 200).length} × 200`,
        ),
        check('exactly one refresh call reached the token endpoint, and the provider granted it', refreshes === 1 && grants === 1, `${refreshes} call(s), ${grants} grant(s)`),
        check('all of them carried the same new token', ids.length === 1 && ids[0] !== expired?.jti, `${ids.length} token id(s)`),
      ],
    };
  },
};
