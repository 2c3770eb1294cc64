import { tokenIds, verifiedToken } from '../api-records.js';
import { DemoTab } from '../demo-tab.js';
import { check, requireTab, type DemoStep } from '../step.js';
import { waitFor } from '../wait-for.js';

/** How often the background tab fetches. */
const POLL_INTERVAL_MS = 500;
/** Requests that must go out with the new token before the step stops watching. */
const AFTER_REFRESH = 3;

/**
 * Step 4: a second tab, behind the first, fetches on a timer while its access token expires; every request still
 * reaches the API with a valid token.
 */
export const backgroundTabStep: DemoStep = {
  id: 'background',
  title: 'A background tab keeps fetching across an expiry',
  async run(run) {
    const tabA = requireTab(run.tabA, 'A');
    const { api, refreshCounter, config } = run.stack;
    const tabB = await DemoTab.open(run.context, config.appOrigin, 'B');
    run.tabB = tabB;
    const openedSignedIn = (await tabB.state()) === 'authenticated';
    await Promise.all([tabA.useRealFocus(), tabB.useRealFocus()]);
    await tabA.page.bringToFront();
    const focusBefore = await Promise.all([tabA.hasFocus(), tabB.hasFocus()]);

    const mark = api.records.length;
    const refreshMark = refreshCounter.refreshCalls;
    const fromB = () => api.records.slice(mark).filter((record) => record.tab === 'B');
    const started = Date.now();
    await tabB.startPolling(POLL_INTERVAL_MS);
    await waitFor(() => {
      const ids = tokenIds(fromB());
      const newest = ids.at(-1);
      return ids.length >= 2 && fromB().filter((record) => verifiedToken(record)?.jti === newest).length >= AFTER_REFRESH;
    }, (config.accessTokenTtl + 10) * 1000);
    const focusAfter = await Promise.all([tabA.hasFocus(), tabB.hasFocus()]);
    const outcomes = await tabB.stopPolling();
    const visibility = await tabB.page.evaluate(() => document.visibilityState);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    const seen = fromB();
    const ids = tokenIds(seen);
    const refreshes = refreshCounter.refreshCalls - refreshMark;
    return {
      show: tabB,
      checks: [
        check('tab B opened signed in, without a login of its own', openedSignedIn),
        check(
          'tab A stayed in front, tab B behind it, while B fetched every 0.5 s',
          [...focusBefore, ...focusAfter].join() === 'true,false,true,false',
          `document.hasFocus(): A ${focusAfter[0]}, B ${focusAfter[1]}; B's visibilityState: ${visibility}`,
        ),
        check(
          'every request of tab B reached the API with a verified token and got 200',
          seen.length > 0 && seen.length === outcomes.length && seen.every((record) => record.status === 200 && verifiedToken(record) !== null),
          `${seen.length} requests in ${seconds} s: ${seen.filter((record) => record.status === 200).length} × 200`,
        ),
        check(
          'they span an expiry: a new token took over, after one refresh call per new token',
          ids.length >= 2 && refreshes === ids.length - 1,
          `${ids.length} token ids, ${refreshes} refresh call(s) at the token endpoint`,
        ),
      ],
    };
  },
};
