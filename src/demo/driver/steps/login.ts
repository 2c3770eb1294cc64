import { join } from 'node:path';

import { jtiOf } from '../api-records.js';
import { findSecretsInPage } from '../find-secrets-in-page.js';
import { logInAtProvider } from '../log-in-at-provider.js';
import { check, requireTab, type DemoStep } from '../step.js';

/**
 * Step 2: log in with the authorization-code flow and PKCE on the provider's login page; the SPA exchanges the code
 * and hands the tokens to the worker. Then look everywhere a page keeps things: no token there.
 */
export function loginStep(screenshotDir: string): DemoStep {
  return {
    id: 'login',
    title: 'Log in (code + PKCE), hand off, page keeps no token',
    async run(run) {
      const tab = requireTab(run.tabA, 'A');
      const { stack } = run;
      const codesBefore = stack.provider.stats.codeGrants;
      const tokens = await logInAtProvider(tab, stack.config, {
        username: 'alice',
        onLoginPage: async () => {
          await tab.page.screenshot({ path: join(screenshotDir, '02-provider-login.png') });
        },
      });
      const jti = jtiOf(tokens.accessToken);
      if (jti !== null) run.loginJti = jti;
      const found = await findSecretsInPage(tab.page, [tokens.accessToken, tokens.refreshToken]);
      return {
        show: tab,
        checks: [
          check('the provider exchanged one authorization code', stack.provider.stats.codeGrants === codesBefore + 1, stack.provider.stats),
          check('the code exchange returned an access token (a JWT with a jti) and a refresh token', jti !== null),
          check('tab A is signed in', (await tab.state()) === 'authenticated'),
          check(
            'neither token is in localStorage, sessionStorage, cookies, URL, DOM or window globals',
            found.length === 0,
            found.length === 0 ? 'searched: none found' : `found in ${found.join(', ')}`,
          ),
        ],
      };
    },
  };
}
