import type { DemoStack } from '../server/start-demo-stack.js';
import type { DemoTab } from './demo-tab.js';

/** How long each page of the login may take. */
const PAGE_TIMEOUT_MS = 15_000;

/** The credentials of the login, as the provider issued and received them (so the driver can look for them in pages). */
export interface CapturedTokens {
  accessToken: string;
  refreshToken: string;
  /** Every credential of this login: the three tokens, the authorization code, the PKCE verifier. */
  secrets: string[];
}

/** Options of {@link logInAtProvider}. */
export interface LoginOptions {
  username: string;
  /** Called on the provider's login page, once the form is filled in (to take a screenshot). */
  onLoginPage?: () => Promise<void>;
}

/**
 * Logs in as a person would: clicks the SPA's Log in button, fills in the provider's development login form (any
 * username, any password), confirms the consent page, and waits until the SPA is back. The worker does the
 * authorization-code + PKCE flow (the page only asked it to start); this only plays the person.
 *
 * @returns the credentials of this login, from what the provider recorded (the page never had them)
 * @throws Error when a page of the flow does not appear in time or the SPA reports a login error
 */
export async function logInAtProvider(tab: DemoTab, stack: DemoStack, options: LoginOptions): Promise<CapturedTokens> {
  const { page } = tab;
  const { config, provider } = stack;
  const record = provider.record;
  const mark = { issued: record.issued.length, codes: record.codes.length, verifiers: record.verifiers.length };

  await page.click('#login');
  await page.waitForURL((url) => url.origin === config.issuer, { timeout: PAGE_TIMEOUT_MS, waitUntil: 'domcontentloaded' });
  const login = page.locator('input[name="login"]');
  await login.waitFor({ timeout: PAGE_TIMEOUT_MS });
  await login.fill(options.username);
  await page.locator('input[name="password"]').fill('any password');
  await options.onLoginPage?.();
  await page.locator('button[type="submit"]').click();

  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: 'attached', timeout: PAGE_TIMEOUT_MS });
  await page.locator('button[type="submit"]').click();

  await page.waitForURL((url) => url.origin === config.appOrigin, { timeout: PAGE_TIMEOUT_MS });
  await tab.ready();
  const error = await tab.loginError();
  if (error !== null) throw new Error(error);
  const issued = record.issued.slice(mark.issued).find((tokens) => tokens.grantType === 'authorization_code');
  if (issued?.refreshToken === undefined) throw new Error('Failed to log in: the provider issued no tokens for a code');
  const secrets = [issued.accessToken, issued.refreshToken, issued.idToken, ...record.codes.slice(mark.codes).map((c) => c.code), ...record.verifiers.slice(mark.verifiers)];
  return { accessToken: issued.accessToken, refreshToken: issued.refreshToken, secrets: secrets.filter((s): s is string => typeof s === 'string') };
}
