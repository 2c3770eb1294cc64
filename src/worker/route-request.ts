import type { CompiledRule } from './api-rule.js';
import type { RuleMatcher } from './rule-matcher.js';

/**
 * Decides, synchronously and without I/O, whether a request is one the injector handles.
 *
 * A request is handled only when it is not a navigation, its URL matches a rule, it can carry a
 * header as it is (not `no-cors`), and it does not already carry the rule's header (the app set
 * one itself, deliberately).
 *
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
  // A no-cors request cannot carry a non-safelisted header; rebuilding it would change its mode.
  if (request.mode === 'no-cors') return null;
  const rule = matcher.match(request.url);
  if (rule === null || request.headers.has(rule.header)) return null;
  return rule;
}
