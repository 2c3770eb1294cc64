// Variant C's config: bearer-sw as an app would configure it — several rules (Bearer and a raw
// custom header, a same-origin API under /api, other hosts), an OAuth 2.0 refresh function.
import { oauth2Refresh, type InjectorConfig } from 'bearer-sw/worker';
import { benchConfig } from './bench-config.js';

/** The config of variant C and of its traced twin. */
export function bearerConfig(): InjectorConfig {
  const config = benchConfig();
  return {
    apis: [
      { origin: config.api, paths: ['/v1', '/v2'] },
      { origin: config.api, paths: ['/graphql'], header: 'x-api-token', scheme: null },
      { origin: config.app, paths: ['/api'] },
      { origin: 'https://files.example.com', paths: ['/upload'] },
      { origin: 'https://realtime.example.com', header: 'x-stack-access-token', scheme: null },
    ],
    refresh: oauth2Refresh({ tokenEndpoint: config.tokenEndpoint, clientId: config.clientId }),
    staticRoutes: config.staticRoutes,
    // Off, as in production: the bench measures what users ship (the default, stated so it stays so).
    debug: false,
  };
}
