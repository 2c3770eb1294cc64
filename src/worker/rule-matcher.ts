import type { CompiledRule } from './api-rule.js';

/** Finds the rule for a URL; built once at start, then used on every request. */
export interface RuleMatcher {
  /**
   * @param url - an absolute URL string, as in `request.url`
   * @returns the first rule (in config order) whose origin and path prefix match, or `null`
   */
  match(url: string): CompiledRule | null;
  /** Every origin some rule names. */
  readonly origins: readonly string[];
}

/** Whether `pathname` is `prefix` or lies below it at a `/` boundary. */
export function pathMatches(pathname: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return pathname === prefix || (pathname.startsWith(prefix) && pathname.charCodeAt(prefix.length) === 47 /* '/' */);
}

/**
 * Compiles validated rules into a matcher keyed by exact origin.
 *
 * Matching parses the URL with the WHATWG URL parser and compares its serialized origin and
 * its path, both exactly as the browser will send them: host names are lower-cased and
 * IDNA-mapped, default ports dropped, dot segments (also `%2e`) resolved, `\` read as `/`. What
 * the parser leaves encoded stays encoded: `/%76%31` is not `/v1`, and `%2F` is not a separator.
 *
 * @example
 * ```ts
 * const matcher = createRuleMatcher(rules)
 * matcher.match('https://api.example.com/v1/me') // the rule, or null
 * ```
 */
export function createRuleMatcher(rules: readonly CompiledRule[]): RuleMatcher {
  const byOrigin = new Map<string, CompiledRule[]>();
  for (const rule of rules) {
    const list = byOrigin.get(rule.origin);
    if (list) list.push(rule);
    else byOrigin.set(rule.origin, [rule]);
  }
  return {
    origins: [...byOrigin.keys()],
    match(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return null;
      }
      // Only the URL's own scheme counts: a `blob:http://api…` URL reports its creator's origin.
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
      const candidates = byOrigin.get(parsed.origin);
      if (candidates === undefined) return null;
      // A URL with credentials is never one the app meant for its API.
      if (parsed.username !== '' || parsed.password !== '') return null;
      for (const rule of candidates) {
        if (rule.paths === null || rule.paths.some((p) => pathMatches(parsed.pathname, p))) return rule;
      }
      return null;
    },
  };
}
