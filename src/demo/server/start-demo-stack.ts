import { join } from 'node:path';

import { createApiVerifier } from '../../../stack/api-verifier.js';
import { startOidcProvider, type OidcServer } from '../../../stack/provider.js';
import type { DemoConfig, DemoStatus } from '../demo-config.js';
import { buildDemoApp, type PackageBuildPolicy } from './build-demo-app.js';
import { createDemoApi, type DemoApi } from './demo-api.js';
import { createDemoAppServer, type DemoAppServer } from './demo-app-server.js';
import { listenOnLoopback } from '../../../stack/listen-on-loopback.js';

/** Options of {@link startDemoStack}. */
export interface DemoStackOptions {
  /** Where the SPA is built (`<outputDir>/app`). */
  outputDir: string;
  /** Access token lifetime in seconds. Default 10. */
  accessTokenTtl?: number;
  /** Refresh leeway of the worker in seconds. Default 2. */
  refreshLeewaySeconds?: number;
  /** When to rebuild `dist/` first. Default `if-stale`. */
  packageBuild?: PackageBuildPolicy;
}

/** Every server of the demo, running; see {@link startDemoStack}. */
export interface DemoStack {
  /** What the SPA and its worker are told (also served as `/demo-config.js`). */
  readonly config: DemoConfig;
  readonly provider: OidcServer;
  /** Refresh calls that reached the token endpoint, counted by the provider (the worker calls it directly). */
  readonly refreshCounter: { readonly refreshCalls: number };
  readonly api: DemoApi;
  readonly thirdParty: DemoApi;
  readonly app: DemoAppServer;
  /** What the servers have recorded so far. */
  status(): DemoStatus;
  /** Stops every server. */
  close(): Promise<void>;
}

/**
 * Builds the SPA, then starts on free loopback ports: the SPA's origin, the OpenID Provider (oidc-provider, in
 * memory, short-lived JWT access tokens, rotating refresh tokens, DPoP required), the API (verifies every token and its DPoP
 * proof with bearer-sw/server against the provider's JWKS) and a third-party origin. Every origin a
 * browser sees is `http://localhost:<port>`, so a person's own browser reaches them too.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const appDir = join(options.outputDir, 'app');
  await buildDemoApp(appDir, options.packageBuild);

  const [appListener, apiListener, thirdPartyListener] = await Promise.all([listenOnLoopback(), listenOnLoopback(), listenOnLoopback()]);
  const appOrigin = appListener.origin;
  const apiAudience = apiListener.origin;
  const accessTokenTtl = options.accessTokenTtl ?? 10;
  // DPoP required for the client: the provider refuses token requests without a proof.
  const provider = await startOidcProvider({ appOrigin, apiAudience, redirectUri: `${appOrigin}/callback`, accessTokenTtl, requireDpop: true });
  const refreshCounter = {
    get refreshCalls() {
      return provider.record.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;
    },
  };

  const config: DemoConfig = {
    appOrigin,
    apiOrigin: apiListener.origin,
    thirdPartyOrigin: thirdPartyListener.origin,
    issuer: provider.issuer,
    tokenEndpoint: provider.tokenEndpoint,
    clientId: provider.clientId,
    redirectUri: provider.redirectUri,
    apiAudience,
    scope: `openid offline_access profile ${provider.apiScope}`,
    accessTokenTtl,
    refreshLeewaySeconds: options.refreshLeewaySeconds ?? 2,
  };

  // The API accepts DPoP-bound tokens only, each request with its proof (bearer-sw/server).
  const verifier = createApiVerifier(provider, apiAudience, { dpop: { required: true } });
  const api = createDemoApi({ name: 'api', appOrigin, verifier, requireToken: true });
  const thirdParty = createDemoApi({ name: 'third-party', appOrigin, verifier, requireToken: false });
  const status = (): DemoStatus => ({
    refreshCalls: refreshCounter.refreshCalls,
    refreshGrants: provider.stats.refreshGrants,
    codeGrants: provider.stats.codeGrants,
    apiRequests: api.records.length,
  });
  const app = createDemoAppServer(appDir, config, status);
  appListener.server.on('request', app.handler);
  apiListener.server.on('request', api.handler);
  thirdPartyListener.server.on('request', thirdParty.handler);

  return {
    config,
    provider,
    refreshCounter,
    api,
    thirdParty,
    app,
    status,
    async close() {
      await Promise.all([appListener.close(), apiListener.close(), thirdPartyListener.close(), provider.close()]);
    },
  };
}
