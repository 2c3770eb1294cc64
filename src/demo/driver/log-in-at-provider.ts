import type { DemoConfig } from '../demo-config.js';
import type { DemoTab } from './demo-tab.js';

/** How long each page of the login may take. */
const PAGE_TIMEOUT_MS = 15_000;

/** The tokens of the code exchange, as the browser's network saw them (so the driver can look for them later). */
export interface CapturedTokens {
  accessToken: string;
  refreshToken: string;
}

/** Options of {@link logInAtProvider}. */
export interface LoginOptions {
  username: string;
  /** Called on the provider's login page, once the form is filled in (to take a screenshot). */
  onLoginPage?: () => Promise<void>;
}

function isTokens(value: unknown): value is { access_token: string; refresh_token: string } {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.access_token === 'string' && typeof body.refresh_token === 'string';
}

/**
 * Logs in as a person would: clicks the SPA's Log in button, fills in the provider's development login form (any
 * username, any password), confirms the consent page, and waits until the SPA is back and has handed the tokens to
 * its worker. The SPA does the authorization-code + PKCE flow itself; this only plays the person.
 *
 * @returns the tokens the token endpoint sent the page, read from the browser's network log
 * @throws Error when a page of the flow does not appear in time or the SPA reports a login error
 */
export async function logInAtProvider(tab: DemoTab, config: DemoConfig, options: LoginOptions): Promise<CapturedTokens> {
  const { page } = tab;
  const exchange = page.waitForResponse(
    (response) => response.url() === config.tokenEndpoint && response.request().method() === 'POST',
    { timeout: 3 * PAGE_TIMEOUT_MS },
  );
  exchange.catch(() => undefined); // awaited below; a failure before that point must not go unhandled

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

  const response = await exchange;
  const body: unknown = await response.json().catch(() => null);
  await page.waitForURL((url) => url.origin === config.appOrigin, { timeout: PAGE_TIMEOUT_MS });
  await tab.ready();
  const error = await tab.loginError();
  if (error !== null) throw new Error(error);
  if (!isTokens(body)) throw new Error(`Failed to log in: the token endpoint answered ${response.status()} without tokens`);
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}
