/**
 * The lines of the `debug: true` log: one per request the worker sees, one at install for what the
 * static routes send straight to the network. Built only when `debug` is on (callers hold an
 * optional log function and call it with `log?.(…)`, so nothing here runs otherwise).
 *
 * A line names the request by method and URL without its query (where codes and keys travel), the
 * decision, and the rule: origin, paths and header name. Never a token, a code or a secret.
 */
import type { CompiledRule } from './api-rule.js';

/** A rule as the log names it: `https://api.example.com/v1,/v2 → authorization`. */
export function describeRule(rule: CompiledRule): string {
  return `${rule.origin}${rule.paths ?? ''} → ${rule.header}`;
}

/**
 * One request's line: `GET https://api.example.com/v1/me: attached (rule https://api.example.com/v1 → authorization)`.
 *
 * @param request - the request of the fetch event
 * @param decision - what the worker did: `attached`, `passed: no rule`, `retried after 401`, …
 * @param rule - the rule the request matched, when one did
 * @example
 * ```ts
 * log?.(requestLine(request, 'no session', rule))
 * ```
 */
export function requestLine(request: Request, decision: string, rule: CompiledRule | null): string {
  return `${request.method} ${request.url.split(/[?#]/)[0]}: ${decision}${rule ? ` (rule ${describeRule(rule)})` : ''}`;
}

/**
 * The install line: what the static routes send to the network without waking the worker.
 *
 * @param rules - the allowlist as compiled
 * @param catchAll - whether the browser took the route for every URL outside the allowlist
 */
export function staticRoutesLine(rules: readonly CompiledRule[], catchAll: boolean): string {
  const upgraded = rules.filter((rule) => rule.upgradeNoCors).map(describeRule);
  return (
    `static routes to the network: navigations, no-cors${upgraded.length > 0 ? ` (not for ${upgraded.join('; ')})` : ''}` +
    `${catchAll ? ',' : '; refused (needs Chromium 127+):'} all but ${rules.map(describeRule).join('; ')}`
  );
}
