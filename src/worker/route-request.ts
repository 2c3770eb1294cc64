import type { CompiledRule } from './api-rule.js';
import type { RuleMatcher } from './rule-matcher.js';

/** Why the injector leaves a request alone, as the debug log says it. */
export type PassReason = 'navigation' | 'no rule' | 'no-cors' | 'header already set';

/**
 * Decides, synchronously and without I/O, whether a request is one the injector handles.
 *
 * A request is handled only when it is not a navigation, its URL matches a rule, it can carry a
 * header (not `no-cors`, unless the rule has `upgradeNoCors`), and it does not already carry the
 * rule's header (the app set one itself, deliberately).
 *
 * @param request - the request of a `fetch` event
 * @param matcher - the compiled allowlist
 * @returns the matching rule, or why the request is left entirely alone (a constant string: the
 *   hot path builds nothing)
 * @example
 * ```ts
 * const decision = routeRequest(event.request, matcher)
 * if (typeof decision !== 'string') event.respondWith(…)
 * ```
 */
export function routeRequest(request: Request, matcher: RuleMatcher): CompiledRule | PassReason {
  // Navigations go to the address bar's URL: a token there would ride on every link click.
  if (request.mode === 'navigate') return 'navigation';
  const rule = matcher.match(request.url);
  if (rule === null) return 'no rule';
  // A no-cors request cannot carry a non-safelisted header (Fetch, "no-cors-safelisted request-
  // header"); only a rule that asked for it turns it into a CORS request.
  if (request.mode === 'no-cors' && !rule.upgradeNoCors) return 'no-cors';
  if (request.headers.has(rule.header)) return 'header already set';
  return rule;
}
