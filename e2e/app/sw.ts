// The test app's worker, as an app would write it: the config is code served by the app's own
// origin (generated per test run with the run's ports).
import {
  clerkSessionToken,
  installTokenInjector,
  oauth2Refresh,
  perApiTokens,
  RefreshRejectedError,
  RefreshUnavailableError,
  stackAuthRefresh,
  supabaseRefresh,
  type InjectorConfig,
} from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import config from '/sw-config.js';
import { installDpopProbe } from './dpop-probe.js';

const injectorConfig: InjectorConfig = { apis: config.apis, debug: config.debug ?? true };
// As an app would: per-API tokens imported only where a rule names a resource.
if (config.apis.some((rule) => rule.resource !== undefined || rule.audience !== undefined)) injectorConfig.perApiTokens = perApiTokens();
if (config.refreshLeewaySeconds !== undefined) injectorConfig.refreshLeewaySeconds = config.refreshLeewaySeconds;
if (config.databaseName !== undefined) injectorConfig.databaseName = config.databaseName;
if (config.exposeAccessToken !== undefined) injectorConfig.exposeAccessToken = config.exposeAccessToken;
if (config.staticRoutes !== undefined) injectorConfig.staticRoutes = config.staticRoutes;
if (config.refreshTimeoutMs !== undefined) injectorConfig.refreshTimeoutMs = config.refreshTimeoutMs;
if (config.oauth2 !== undefined) injectorConfig.refresh = oauth2Refresh(config.oauth2);
if (config.login !== undefined) injectorConfig.login = oidcLogin(config.login);
if (config.supabase !== undefined) injectorConfig.refresh = supabaseRefresh(config.supabase);
if (config.stackAuth !== undefined) injectorConfig.refresh = stackAuthRefresh(config.stackAuth);
if (config.clerk !== undefined) injectorConfig.refresh = clerkSessionToken(config.clerk);
if (config.failingRefresh !== undefined) {
  const kind = config.failingRefresh;
  injectorConfig.refresh = async () => {
    throw kind === 'rejected' ? new RefreshRejectedError('Failed to refresh tokens: refused by the test') : new RefreshUnavailableError('Failed to refresh tokens: unavailable in the test');
  };
}

// An engine without Web Locks, for the fallback scenario: the accessor lives on the prototype
// (WebIDL), so deleting it there makes `'locks' in navigator` false, as it is where it is missing.
if (config.hideLocks === true) delete (Object.getPrototypeOf(self.navigator) as { locks?: unknown }).locks;

// Test-only: a slow install (added before the injector's own install listener).
if (config.installDelayMs !== undefined) {
  const ms = config.installDelayMs;
  self.addEventListener('install', (event) => (event as Event & { waitUntil(p: Promise<unknown>): void }).waitUntil(new Promise((resolve) => setTimeout(resolve, ms))));
}

// Test-only: what the worker hands to fetch(), as the network sees the request (the fields the
// server cannot show: cache mode, keepalive, whether a signal is attached). Installed before the
// injector so that its sends go through it.
const sent: Array<{ url: string; method: string; cache: string; keepalive: boolean; mode: string; credentials: string; signal: boolean }> = [];
if (config.recordFetches === true) {
  const original = self.fetch.bind(self);
  self.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push({
      url: request.url,
      method: request.method,
      cache: request.cache,
      keepalive: request.keepalive,
      mode: request.mode,
      credentials: request.credentials,
      signal: request.signal instanceof AbortSignal,
    });
    return original(request);
  };
}

installTokenInjector(injectorConfig);

// Test-only probe, not part of the library: tells the engine scenarios which worker instance
// answers (to see a restart happen) and what its scope offers. Anything else is left to the injector.
const instance = crypto.randomUUID();
self.addEventListener('message', (event: MessageEvent) => {
  if ((event.data as { bearerSwTestProbe?: unknown } | null)?.bearerSwTestProbe !== true) return;
  if ((event.data as { fetches?: unknown }).fetches === true) {
    event.ports[0]?.postMessage(sent);
    return;
  }
  event.ports[0]?.postMessage({ instance, scriptURL: self.location.href, hasLocks: 'locks' in self.navigator, classicLibrary: 'bearerSw' in self });
});

// Test-only: the DPoP primitives in this engine's worker scope (see dpop-probe.ts).
installDpopProbe(self);
