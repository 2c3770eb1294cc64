import { compileRule, type ApiRule, type CompiledRule } from './api-rule.js';
import { staticRoutesLine } from './debug-log.js';

/**
 * A condition of the ServiceWorker static router (ServiceWorker spec, `RouterCondition`), the
 * subset bearer-sw uses. `urlPattern` takes a `URLPatternInit`: every component left out matches
 * anything.
 */
export interface RouterCondition {
  urlPattern?: { protocol: string; hostname: string; port: string; pathname: string };
  requestMode?: RequestMode;
  or?: RouterCondition[];
  not?: RouterCondition;
}

/**
 * A static route: what its condition matches goes to the network, never to the worker, or (for
 * `upgradeNoCors` rules, placed before the no-cors route) to the worker's fetch listener.
 */
export interface RouterRule {
  condition: RouterCondition;
  source: 'network' | 'fetch-event';
}

// URLPattern syntax characters; anything else in a pattern string stands for itself.
const SYNTAX = /[\\+*?:{}()]/g;
/** A text as a URLPattern component that matches it and nothing else. */
export const literal = (text: string) => text.replace(SYNTAX, '\\$&');

/**
 * The static routes for an allowlist: navigations, `no-cors` requests (but those an
 * `upgradeNoCors` rule matches), and every request no rule can match go straight to the network,
 * without starting or waking the worker.
 *
 * Each rule becomes one URL pattern: its exact scheme, host and port, and for each path prefix the
 * prefix itself or anything below it at a `/` boundary (`/v1{/*}?`: `/v1`, `/v1/x`, never `/v10`),
 * as `pathMatches` decides. A pattern can only be wider than the matcher (a URL with user info, a
 * request that already carries its header still wakes the worker, which then leaves it alone);
 * were one ever narrower, a request would skip the worker and go out without a token, never with
 * one it should not carry.
 *
 * @param apis - the validated allowlist
 * @returns the rules for `InstallEvent.addRoutes`, in order
 * @example
 * ```ts
 * staticRoutesFor([{ origin: 'https://api.example.com', paths: ['/v1'] }])
 * // navigations → network; no-cors → network; not https://api.example.com/v1{/*}? → network
 * ```
 */
export function staticRoutesFor(apis: readonly ApiRule[]): RouterRule[] {
  return routesForRules(apis.map((api, index) => compileRule(api, index)));
}

/**
 * {@link staticRoutesFor} for rules already compiled (the worker compiles its allowlist once, at
 * start, and reuses it here). `owned`: requests that must reach the fetch event whatever their
 * mode (the login's redirect URI navigation and its authorization server's endpoints), first.
 */
export function routesForRules(rules: readonly CompiledRule[], owned: RouterCondition[] = []): RouterRule[] {
  const allowed: RouterCondition[] = [];
  const upgraded: RouterCondition[] = [];
  for (const rule of rules) {
    const url = new URL(rule.origin);
    const origin = { protocol: literal(url.protocol.slice(0, -1)), hostname: literal(url.hostname), port: literal(url.port) };
    for (const path of rule.paths ?? ['/']) {
      const urlPattern = { ...origin, pathname: path === '/' ? '*' : `${literal(path)}{/*}?` };
      allowed.push({ urlPattern });
      if (rule.upgradeNoCors) upgraded.push({ urlPattern, requestMode: 'no-cors' });
    }
  }
  return [
    ...(owned.length > 0 ? [{ condition: { or: owned }, source: 'fetch-event' as const }] : []),
    // `routeRequest` leaves navigations alone: a token never rides on one.
    { condition: { requestMode: 'navigate' }, source: 'network' },
    // No-cors requests too, except those an `upgradeNoCors` rule sends on as CORS with the token.
    ...(upgraded.length > 0 ? [{ condition: { or: upgraded }, source: 'fetch-event' as const }] : []),
    { condition: { requestMode: 'no-cors' }, source: 'network' },
    // Last, and added on its own: the `not` condition needs Chromium 127+ (see addStaticRoutes).
    { condition: { not: { or: allowed } }, source: 'network' },
  ];
}

/** `InstallEvent.addRoutes` (Chromium 123+); not yet in TypeScript's WebWorker lib. */
type AddRoutes = (rules: RouterRule[]) => Promise<void>;

/**
 * Registers {@link staticRoutesFor} on the install event where the browser supports static
 * routing (feature-detected); elsewhere the fetch listener returns early without `respondWith`.
 *
 * The routes go in two calls, in order (each call appends): first navigations and `no-cors`
 * requests, then the catch-all for URLs outside the allowlist. The catch-all uses the `not`
 * condition, which Chromium enabled by default only in 127; Chromium 123–126 refuses a rule with
 * it (`addRoutes` rejects with a TypeError, "The 'not' condition is not enabled.", and adds none of
 * that call's rules). The split keeps the first routes there; a refused call only means those
 * requests wake the worker, whose fetch listener leaves them alone: never a wrong answer.
 *
 * Routes belong to the worker version: they apply to every request of its scope, the app's own
 * handlers' included, from activation until the next version.
 *
 * @param event - the `install` event
 * @param rules - the allowlist as the worker compiled it at start
 * @param log - the debug log, when on: what the routes send to the network, or what was refused
 * @param owned - conditions that must reach the fetch event (see {@link routesForRules}), as an
 *   extension (the login) computes them; absent: none
 * @returns a promise for `waitUntil`; it never rejects (a worker without routes still works)
 * @example
 * ```ts
 * self.addEventListener('install', (event) => event.waitUntil(addStaticRoutes(event, compiled.rules, log)))
 * ```
 */
export async function addStaticRoutes(
  event: Event,
  rules: readonly CompiledRule[],
  log?: (message: string) => void,
  owned?: Promise<RouterCondition[]>,
): Promise<void> {
  const addRoutes = (event as Event & { addRoutes?: AddRoutes }).addRoutes;
  if (typeof addRoutes !== 'function') {
    log?.('static routes: unsupported');
    return;
  }
  const routes = routesForRules(rules, await owned);
  const catchAll = routes.pop()!;
  try {
    await addRoutes.call(event, routes);
  } catch {
    log?.('static routes: refused');
    return;
  }
  let added = true;
  try {
    await addRoutes.call(event, [catchAll]);
  } catch {
    added = false;
  }
  log?.(staticRoutesLine(rules, added));
}
