// What a page's scripts can read, as one text to scan for credentials: for pages that are not the
// test harness (the examples), driven by Playwright or by the engine runner.

/**
 * A function expression, as source, that returns everything the page's scripts could read as
 * text: URL, referrer, history, navigation entries, DOM, window globals, storages, cookies,
 * performance entries. Source rather than a function: the engine runner sends it over WebDriver,
 * and a transpiled function could carry helpers the page does not have.
 */
export const EXPOSED_TEXT_SOURCE = `() => {
  const globals = {};
  for (const key of Object.keys(window)) {
    try { globals[key] = JSON.stringify(window[key]); } catch { globals[key] = String(window[key]); }
  }
  const storage = (area) => Object.fromEntries(Object.keys(area).map((key) => [key, area.getItem(key)]));
  return JSON.stringify({
    url: location.href,
    referrer: document.referrer,
    history: { length: history.length, state: history.state },
    navigation: 'navigation' in window ? window.navigation.entries().map((e) => e.url) : null,
    dom: document.documentElement.outerHTML,
    globals,
    localStorage: storage(localStorage),
    sessionStorage: storage(sessionStorage),
    cookies: document.cookie,
    performance: performance.getEntries().map((entry) => entry.name),
  });
}`;

/** The provider's record, as far as credentials go (see `stack/provider.ts`). */
interface CredentialRecord {
  issued: Array<{ accessToken: string; refreshToken?: string; idToken?: string }>;
  codes: Array<{ code: string }>;
  verifiers: string[];
}

/** Every access, refresh and ID token, code and PKCE verifier the provider issued or received. */
export function credentialsOf(record: CredentialRecord): string[] {
  return [...record.issued.flatMap((t) => [t.accessToken, t.refreshToken, t.idToken]), ...record.codes.map((c) => c.code), ...record.verifiers].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}

/** The credentials among `secrets` that occur in `exposed` (the page's readable text). */
export function exposedCredentials(exposed: string, secrets: readonly string[]): string[] {
  return secrets.filter((secret) => exposed.includes(secret));
}
