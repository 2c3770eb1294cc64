import { startAppServer, type AppServer } from '../support/app-server.js';
import { createApiVerifier } from '../../stack/api-verifier.js';
import { startFaultProxy, tokenEndpointVia, type FaultProxy } from '../../stack/fault-proxy.js';
import { startOidcProvider, type OidcServer } from '../../stack/provider.js';
import { APP_BUILD } from '../support/paths.js';
import { startRecordingServer, type RecordingServer, type TokenContext } from '../support/recording-server.js';
import type { TestWorkerConfig } from '../support/sw-config.js';
import { verifyTestToken, type Verification } from '../support/tokens.js';

/**
 * Host names the scenarios use besides `localhost`; every driver makes them resolve to 127.0.0.1
 * (Chromium: resolver rules; Firefox: `network.dns.localDomains`; WebKit: a loopback proxy).
 */
export const TEST_HOSTS = ['api.test', 'evil.test', 'evil-api.test', 'api.test.evil.test'] as const;

/** The servers one engine run talks to; started once, reset before every scenario. */
export interface Environment {
  /** The recording API on `http://api.test:<port>`; it accepts test tokens and the provider's. */
  api: RecordingServer;
  /** The same kind of server on another port: another origin under the same host name. */
  otherApi: RecordingServer;
  /** The test app on `http://localhost:<port>`. */
  app: AppServer;
  /** A real OpenID Provider (oidc-provider) whose only client is the app. */
  oidc: OidcServer;
  /** The fault proxy in front of the provider: the worker refreshes through it, it counts the calls. */
  tokenProxy: FaultProxy;
  /** The standard allowlist: Bearer under /v1 and a raw `x-api-token` under /custom, on api.test. */
  defaultConfig(): TestWorkerConfig;
  /** {@link Environment.defaultConfig} plus `oauth2Refresh` against the provider, through the proxy. */
  refreshConfig(): TestWorkerConfig;
  /** Back to the default config; forgets what the servers recorded. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts every server on 127.0.0.1. */
export async function startEnvironment(): Promise<Environment> {
  let verifyProviderToken: ((context: TokenContext) => Promise<Verification>) | null = null;
  const api = await startRecordingServer({
    // Test tokens (HS256) first, then the provider's JWT access tokens.
    async verify(token, context) {
      const own = await verifyTestToken(token);
      if (own.ok || verifyProviderToken === null) return own;
      return verifyProviderToken(context);
    },
  });
  const otherApi = await startRecordingServer();
  const defaultConfig = (): TestWorkerConfig => ({
    apis: [
      { origin: api.origin('api.test'), paths: ['/v1'] },
      { origin: api.origin('api.test'), paths: ['/custom'], header: 'x-api-token', scheme: null },
    ],
  });
  const app = await startAppServer(APP_BUILD, defaultConfig());
  const apiAudience = api.origin('api.test');
  const oidc = await startOidcProvider({ appOrigin: app.origin, apiAudience, redirectUri: `${app.origin}/callback` });
  const verifier = createApiVerifier(oidc, apiAudience);
  verifyProviderToken = async ({ message, header }) => {
    const result = await verifier.verifyIncoming(message, header);
    return result.ok ? { ok: true, sub: result.sub, jti: result.jti, scheme: result.scheme, jkt: result.jkt } : { ok: false, error: result.error, challenge: result.challenge };
  };
  const tokenProxy = await startFaultProxy(oidc.nodeOrigin);
  return {
    api,
    otherApi,
    app,
    oidc,
    tokenProxy,
    defaultConfig,
    refreshConfig: () => ({
      ...defaultConfig(),
      oauth2: { tokenEndpoint: tokenEndpointVia(tokenProxy, oidc), clientId: oidc.clientId },
    }),
    reset() {
      app.setConfig(defaultConfig());
      app.setPageHeaders({});
      api.clear();
      otherApi.clear();
    },
    async close() {
      await Promise.all([tokenProxy.close(), oidc.close(), app.close(), api.close(), otherApi.close()]);
    },
  };
}
