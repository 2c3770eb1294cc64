import { join } from 'node:path';

import { jtiOf } from '../api-records.js';
import { findSecretsInPage } from '../find-secrets-in-page.js';
import { logInAtProvider } from '../log-in-at-provider.js';
import { check, requireTab, type DemoStep } from '../step.js';

/**
 * Step 2: log in on the provider's login page; the worker runs the authorization-code flow with PKCE, takes the
 * provider's redirect itself and keeps the tokens. Then look everywhere a page keeps things: no token, code or
 * verifier there.
 */
export function loginStep(screenshotDir: string): DemoStep {
  return {
    id: 'login',
    title: 'Log in (code + PKCE in the worker), page sees no token',
    async run(run) {
      const tab = requireTab(run.tabA, 'A');
      const { stack } = run;
      const codesBefore = stack.provider.stats.codeGrants;
      const tokens = await logInAtProvider(tab, stack, {
        username: 'alice',
        onLoginPage: async () => {
          await tab.page.screenshot({ path: join(screenshotDir, '02-provider-login.png') });
        },
      });
      const jti = jtiOf(tokens.accessToken);
      if (jti !== null) run.loginJti = jti;
      const found = await findSecretsInPage(tab.page, tokens.secrets);
      const user = await tab.page.evaluate(() => window.demo.user());
      return {
        show: tab,
        checks: [
          check('the provider exchanged one authorization code', stack.provider.stats.codeGrants === codesBefore + 1, stack.provider.stats),
          check('the code exchange returned an access token (a JWT with a jti) and a refresh token', jti !== null),
          check('tab A is signed in, as the ID token the worker validated says', (await tab.state()) === 'authenticated' && user?.sub === 'alice', `user: ${user?.name ?? 'none'}`),
          check(
            'no token, code or verifier is in localStorage, sessionStorage, cookies, URL, DOM or window globals',
            found.length === 0,
            found.length === 0 ? 'searched: none found' : `found in ${found.join(', ')}`,
          ),
        ],
      };
    },
  };
}
