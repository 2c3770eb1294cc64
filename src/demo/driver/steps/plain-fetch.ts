import { verifiedToken } from '../api-records.js';
import { check, requireTab, type DemoStep } from '../step.js';

/** Step 3: plain `fetch()` calls reach the API with the token; a call to another origin carries none. */
export const plainFetchStep: DemoStep = {
  id: 'fetch',
  title: 'Plain fetch() gets the token; a third party gets none',
  async run(run) {
    const tab = requireTab(run.tabA, 'A');
    const { api, thirdParty } = run.stack;
    const apiMark = api.records.length;
    const thirdMark = thirdParty.records.length;
    await tab.call('api', '/v1/me');
    await tab.call('api', '/v1/items');
    await tab.call('third-party', '/collect');
    const apiSeen = api.records.slice(apiMark);
    const thirdSeen = thirdParty.records.slice(thirdMark);
    const tokens = apiSeen.map(verifiedToken);
    const jtis = new Set(tokens.map((token) => token?.jti));
    return {
      show: tab,
      checks: [
        check(
          'the API received 2 requests, each with a verified token for alice, and answered 200',
          apiSeen.length === 2 && apiSeen.every((record) => record.status === 200 && verifiedToken(record)?.sub === 'alice'),
          apiSeen.map((record) => `${record.path} ${record.status}`).join(', '),
        ),
        check('it was the token from the login (same jti)', run.loginJti !== undefined && jtis.size === 1 && jtis.has(run.loginJti)),
        check(
          'the third party received its request with no Authorization header',
          thirdSeen.length === 1 && thirdSeen[0]?.token === null,
          `${thirdSeen.length} request(s), token: ${thirdSeen[0]?.token === null ? 'none' : 'present'}`,
        ),
      ],
    };
  },
};
