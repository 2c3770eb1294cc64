import { latestToken, verifiedToken } from '../api-records.js';
import { check, requireTab, type DemoStep } from '../step.js';
import { stopServiceWorkers } from '../stop-service-workers.js';

/** Step 6: the browser stops the worker (as it does to an idle one); the next call still carries the token. */
export const workerRestartStep: DemoStep = {
  id: 'worker-stopped',
  title: 'Worker stopped; the next call still carries the token',
  async run(run) {
    const tabA = requireTab(run.tabA, 'A');
    const { api, refreshCounter } = run.stack;
    const before = latestToken(run.stack);
    const refreshMark = refreshCounter.refreshCalls;
    const { versions, stopped } = await stopServiceWorkers(run.context);

    const mark = api.records.length;
    await tabA.call('api', '/v1/me');
    const record = api.records[mark];
    const token = record === undefined ? null : verifiedToken(record);
    const refreshes = refreshCounter.refreshCalls - refreshMark;
    const sameToken = token !== null && token.jti === before?.jti;
    return {
      show: tabA,
      checks: [
        check('DevTools stopped every service worker', stopped, `${versions} worker version(s)`),
        check('the next call reached the API with a verified token for alice (200)', record?.status === 200 && token?.sub === 'alice'),
        check(
          'the restarted worker read the session back from IndexedDB',
          sameToken || (token !== null && refreshes > 0),
          sameToken ? 'same token id as before the stop, no refresh' : `a new token after ${refreshes} refresh call(s)`,
        ),
      ],
    };
  },
};
