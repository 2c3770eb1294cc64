/**
 * `bearer-sw/worker`: import it in your service worker entry and call {@link installTokenInjector}
 * at the top level of the script.
 *
 * @packageDocumentation
 */
// The module itself, not the package index: the index pulls in workbox's logger, which reads
// `process.env.NODE_ENV` at load and throws in a worker no bundler has rewritten.
import { clientsClaim } from 'workbox-core/clientsClaim.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import { broadcast } from './broadcast.js';
import { handleMessage } from './handle-message.js';
import { requestLine } from './debug-log.js';
import { compileConfig, type InjectorConfig } from './injector-config.js';
import { respondWithToken } from './respond-with-token.js';
import { routeRequest } from './route-request.js';
import { addStaticRoutes } from './static-routes.js';
import { createTokenStore } from './token-store.js';
import { TokenSession } from './token-session.js';
import { msg } from '../shared/message.js';

export type { ApiRule, TokenTarget } from './api-rule.js';
export type { InjectorConfig, RefreshFn } from './injector-config.js';
export type { WorkerLogin, LoginBinding } from './worker-login.js';
export type { UserClaims } from '../shared/protocol.js';
export type { TokenSet } from '../shared/token-set.js';
export { BearerSwError, type ErrorCode } from '../shared/errors.js';
export { RefreshRejectedError, RefreshUnavailableError } from './refresh-errors.js';
export { perApiTokens, type PerApiTokens } from './per-api-tokens.js';
export { oauth2Refresh, refreshTokenGrantRequest, processRefreshTokenResponse, type OAuth2RefreshOptions } from './oauth2-refresh.js';
export { supabaseRefresh, processSupabaseRefreshResponse, type SupabaseRefreshOptions } from './presets/supabase-refresh.js';
export { stackAuthRefresh, processStackAuthRefreshResponse, type StackAuthRefreshOptions } from './presets/stack-auth-refresh.js';
export { clerkSessionToken, processClerkTokenResponse, type ClerkSessionTokenOptions } from './presets/clerk-session-token.js';

declare const self: ServiceWorkerGlobalScope;

let installed = false;

/**
 * Adds the install, activate, fetch and message listeners to the service worker.
 *
 * The worker activates at once (unless `skipWaiting: false`) and claims open pages. From then on
 * every request to an allowlisted API carries the session's token; nothing else is touched. Fetch
 * listeners added after it (Workbox's routes) never see an allowlisted request it answered, so
 * call it before adding any that could match one. Call it once, at the top level of the worker
 * script (browsers only dispatch to listeners added during the first run).
 *
 * @param config - the allowlist and options; validated now
 * @throws TypeError when the config is invalid, naming the problem
 * @throws Error when called twice in one worker
 * @example
 * ```ts
 * // sw.ts
 * import { installTokenInjector } from 'bearer-sw/worker'
 * installTokenInjector({ apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }] })
 * ```
 */
export function installTokenInjector(config: InjectorConfig): void {
  const compiled = compileConfig(config);
  if (installed) throw new Error(msg`Failed to install the token injector: already installed`);
  installed = true;

  // Absent when off: every caller writes `log?.(…)`, so no message is even built then.
  const log = compiled.debug ? (message: string) => console.debug(`[bearer-sw] ${message}`) : undefined;
  const login = compiled.login;
  const session = new TokenSession({
    store: createTokenStore(compiled.databaseName),
    refresh: compiled.refresh,
    leewayMs: compiled.refreshLeewayMs,
    waitMs: compiled.refreshTimeoutMs,
    refreshCallTimeoutMs: compiled.refreshCallTimeoutMs,
    // Web Locks where present (feature-detected); without them the in-worker single flight remains.
    locks: 'locks' in self.navigator ? self.navigator.locks : undefined,
    lockName: `bearer-sw:refresh:${compiled.databaseName}`,
    log,
    onChange(snapshot, lost) {
      // The login adds what pages see of its identity (the user) before the news goes out.
      login?.changed(snapshot);
      const news = broadcast(self.clients, { v: PROTOCOL_VERSION, type: 'state', payload: snapshot }).then(() =>
        lost === null
          ? undefined
          : broadcast(self.clients, { v: PROTOCOL_VERSION, type: 'session-invalid', payload: { reason: lost, epoch: snapshot.epoch } }),
      );
      news.catch(() => log?.('could not tell the pages'));
    },
  });
  // Warm the in-memory copy now, so the first request after a worker restart rarely waits.
  session.ready().catch(() => log?.('could not load the session at start'));
  // The whole compiled config (database name, allowlist, refresh): shorter than naming its fields.
  login?.attach({ ...compiled, scope: self.registration.scope, session, log });

  const fetchContext = { session, canRetry: compiled.refresh !== null, log };
  self.addEventListener('install', (event) => {
    event.waitUntil(
      Promise.all([
        compiled.skipWaiting ? self.skipWaiting() : undefined,
        compiled.staticRoutes && addStaticRoutes(event, compiled.rules, log, login?.staticRoutes()),
      ]),
    );
  });
  clientsClaim();
  // `respondWith` also stops the event's propagation (ServiceWorker spec, FetchEvent respondWith,
  // step "set the stop immediate propagation flag"): fetch listeners added after this one, such
  // as Workbox's router, never see a request it answered.
  self.addEventListener('fetch', (event) => {
    const owned = login?.intercept(event);
    if (owned) return event.respondWith(owned);
    const request = event.request;
    const decision = routeRequest(request, compiled.matcher);
    if (typeof decision !== 'string') event.respondWith(respondWithToken(request, decision, fetchContext));
    // The rule is looked up again only for the log (none for `no rule`): the hot path stays as it is.
    else log?.(requestLine(request, `passed: ${decision}`, compiled.matcher.match(request.url)));
  });
  self.addEventListener('message', (event) => {
    event.waitUntil(
      handleMessage(event, {
        ...compiled,
        session,
        origin: self.location.origin,
        claim: () => self.clients.claim(),
        log,
      }),
    );
  });
}
