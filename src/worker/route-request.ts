import type { CompiledRule } from './api-rule.js';
import type { RuleMatcher } from './rule-matcher.js';

/**
 * Decides, synchronously and without I/O, whether a request is one the injector handles.
 *
 * A request is handled only when it is not a navigation, its URL matches a rule, it can carry a
 * header (not `no-cors`, unless the rule has `upgradeNoCors`), and it does not already carry the
 * rule's header (the app set one itself, deliberately).
 *
 * @param request - the request of a `fetch` event
 * @param matcher - the compiled allowlist
 * @returns the matching rule, or `null` to leave the request entirely alone
 * @example
 * ```ts
 * const rule = routeRequest(event.request, matcher)
 * if (rule) event.respondWith(…)
 * ```
 */
export function routeRequest(request: Request, matcher: RuleMatcher): CompiledRule | null {
  // Navigations go to the address bar's URL: a token there would ride on every link click.
  if (request.mode === 'navigate') return null;
  const rule = matcher.match(request.url);
  if (rule === null) return null;
  // A no-cors request cannot carry a non-safelisted header (Fetch, "no-cors-safelisted request-
  // header"); only a rule that asked for it turns it into a CORS request.
  if (request.mode === 'no-cors' && !rule.upgradeNoCors) return null;
  if (request.headers.has(rule.header)) return null;
  return rule;
}
