import type { Page } from 'playwright';

/**
 * Looks for any of `secrets` wherever a page script could have kept it: localStorage, sessionStorage, cookies, the
 * URL, history state, the DOM, and every value reachable (four levels deep) from the window's own properties.
 *
 * @returns where each hit was found (`localStorage.key`, `window.demo.x`, `DOM`, …); empty when the page holds none
 */
export function findSecretsInPage(page: Page, secrets: string[]): Promise<string[]> {
  // The function runs in the page. It binds no named inner functions: tsx would wrap them in a `__name` helper that
  // exists only in Node.
  return page.evaluate((secrets) => {
    const wanted = secrets.filter((secret) => secret.length > 0);
    const places: [string, unknown][] = [
      ['document.cookie', document.cookie],
      ['location.href', location.href],
      ['history.state', JSON.stringify(history.state) ?? ''],
      ['DOM', document.documentElement.outerHTML],
    ];
    for (const [name, storage] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]] as const) {
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i) ?? '';
        places.push([`${name}.${key}`, `${key}=${storage.getItem(key) ?? ''}`]);
      }
    }
    const stack: [string, unknown, number][] = Object.keys(window).map((key) => [`window.${key}`, undefined, 0]);
    const seen = new Set<unknown>([window, document]);
    while (stack.length > 0) {
      const [path, given, depth] = stack.pop() as [string, unknown, number];
      let value = given;
      if (depth === 0) {
        try {
          value = (window as unknown as Record<string, unknown>)[path.slice('window.'.length)];
        } catch {
          continue; // a throwing getter holds nothing a script could read either
        }
      }
      if (typeof value === 'string') places.push([path, value]);
      if (typeof value !== 'object' || value === null || depth >= 4 || seen.has(value) || value instanceof Node) continue;
      seen.add(value);
      try {
        for (const key of Object.keys(value)) stack.push([`${path}.${key}`, (value as Record<string, unknown>)[key], depth + 1]);
      } catch {
        // cross-origin objects refuse to list their keys
      }
    }
    return places
      .filter(([, text]) => typeof text === 'string' && wanted.some((secret) => text.includes(secret)))
      .map(([place]) => place);
  }, secrets);
}
