// The test app's worker, as an app would write it: the config is code served by the app's own
// origin (generated per test run with the run's ports).
import {
  clerkSessionToken,
  installTokenInjector,
  oauth2Refresh,
  RefreshRejectedError,
  RefreshUnavailableError,
  stackAuthRefresh,
  supabaseRefresh,
  type InjectorConfig,
} from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import config from '/sw-config.js';
import { installDpopProbe } from './dpop-probe.js';

const injectorConfig: InjectorConfig = { apis: config.apis, debug: true };
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

installTokenInjector(injectorConfig);

// Test-only probe, not part of the library: tells the engine scenarios which worker instance
// answers (to see a restart happen) and what its scope offers. Anything else is left to the injector.
const instance = crypto.randomUUID();
self.addEventListener('message', (event: MessageEvent) => {
  if ((event.data as { bearerSwTestProbe?: unknown } | null)?.bearerSwTestProbe !== true) return;
  event.ports[0]?.postMessage({ instance, scriptURL: self.location.href, hasLocks: 'locks' in self.navigator, classicLibrary: 'bearerSw' in self });
});

// Test-only: the DPoP primitives in this engine's worker scope (see dpop-probe.ts).
installDpopProbe(self);
