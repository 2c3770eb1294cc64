import { jtiOf, tokenIds, verifiedToken } from '../api-records.js';
import type { DemoTab } from '../demo-tab.js';
import { findSecretsInPage } from '../find-secrets-in-page.js';
import { logInAtProvider } from '../log-in-at-provider.js';
import { check, requireTab, type DemoStep } from '../step.js';
import { waitFor } from '../wait-for.js';

/** How long the other tab gets to follow a login or logout. */
const FOLLOW_TIMEOUT_MS = 10_000;

async function both(tabs: DemoTab[], state: string): Promise<boolean> {
  const states = await Promise.all(tabs.map((tab) => tab.state()));
  return states.every((s) => s === state);
}

/** Step 8: log in again in tab A (tab B follows), then log out in tab B (tab A follows). */
export const loginAgainLogoutStep: DemoStep = {
  id: 'logout',
  title: 'Log in again, log out; every tab follows',
  async run(run) {
    const tabA = requireTab(run.tabA, 'A');
    const tabB = requireTab(run.tabB, 'B');
    const { api, refreshCounter, provider } = run.stack;
    const earlierIds = tokenIds(api.records);
    const codeMark = provider.stats.codeGrants;

    const tokens = await logInAtProvider(tabA, run.stack, { username: 'alice' });
    const newJti = jtiOf(tokens.accessToken);
    const bothIn = await waitFor(() => both([tabA, tabB], 'authenticated'), FOLLOW_TIMEOUT_MS);
    const found = await findSecretsInPage(tabA.page, tokens.secrets);
    const mark = api.records.length;
    await tabB.call('api', '/v1/me');
    const loggedIn = api.records[mark];
    const loggedInToken = loggedIn === undefined ? null : verifiedToken(loggedIn);

    const refreshMark = refreshCounter.refreshCalls;
    await tabB.logout();
    const bothOut = await waitFor(() => both([tabA, tabB], 'unauthenticated'), FOLLOW_TIMEOUT_MS);
    const [shownA, shownB] = await Promise.all([tabA.shownState(), tabB.shownState()]);
    const outMark = api.records.length;
    await tabA.call('api', '/v1/me');
    const loggedOut = api.records[outMark];
    return {
      show: tabB,
      checks: [
        check('a second code + PKCE login succeeded', provider.stats.codeGrants === codeMark + 1 && newJti !== null),
        check('tab B signed in too, without doing anything', bothIn),
        check('tab A holds no token after this login either', found.length === 0, found.length === 0 ? 'none found' : `found in ${found.join(', ')}`),
        check(
          "tab B's call carried the new token (new jti, verified, 200)",
          loggedIn?.status === 200 && loggedInToken?.jti === newJti && !earlierIds.includes(newJti ?? ''),
        ),
        check('after Log out in tab B, both tabs show signed out', bothOut && shownA === 'Signed out' && shownB === 'Signed out', `tab A: ${shownA}, tab B: ${shownB}`),
        check(
          "tab A's next call went without a token (401), and no refresh was tried",
          loggedOut?.token === null && loggedOut.status === 401 && refreshCounter.refreshCalls === refreshMark,
          loggedOut === undefined ? 'no request arrived' : `${loggedOut.status}, token: ${loggedOut.token === null ? 'none' : 'present'}`,
        ),
      ],
    };
  },
};
