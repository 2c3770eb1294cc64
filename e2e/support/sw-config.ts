import type { ApiRule } from 'bearer-sw/worker';
import type { OidcLoginOptions } from 'bearer-sw/worker/login';

/**
 * What the test app's worker reads from `/sw-config.js`, served by the app server, so one built
 * worker serves every scenario with the ports of this run. The allowlist is still code the
 * worker loads from its own origin; pages cannot change it.
 */
export interface TestWorkerConfig {
  apis: ApiRule[];
  /** Options of `oidcLogin` (bearer-sw/worker/login): the worker runs the login itself. */
  login?: OidcLoginOptions;
  /** Token endpoint and client for `oauth2Refresh`; absent: no refresh. */
  oauth2?: { tokenEndpoint: string; clientId: string; scope?: string };
  /** `supabaseRefresh` options; the refresh function of the Supabase preset. */
  supabase?: { url: string; apiKey: string };
  /** `stackAuthRefresh` options. */
  stackAuth?: { projectId: string; publishableClientKey: string; baseUrl?: string };
  /** `clerkSessionToken` options. */
  clerk?: { frontendApi: string; template?: string };
  /** A refresh function that always fails this way, for failure scenarios without a server. */
  failingRefresh?: 'rejected' | 'unavailable';
  refreshLeewaySeconds?: number;
  refreshTimeoutMs?: number;
  databaseName?: string;
  exposeAccessToken?: boolean;
  /** `staticRoutes` of the injector; absent: its default (on). */
  staticRoutes?: boolean;
  /** Hold the worker's install event this long, in ms (a slow install). */
  installDelayMs?: number;
  /** Record what the worker passes to fetch() (read with the probe `{ bearerSwTestProbe: true, fetches: true }`). */
  recordFetches?: boolean;
  /** `debug` of the injector; absent: on (the test worker logs its decisions). */
  debug?: boolean;
  /** Remove `navigator.locks` from the worker before the injector starts, as in an engine without Web Locks. */
  hideLocks?: boolean;
}
