// The demo app's service worker, written as an app would write its own: the allowlist is the API's `/v1` paths,
// and tokens are refreshed with the RFC 6749 refresh grant at the provider's token endpoint.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';
import config from '/demo-config.js';

installTokenInjector({
  apis: [{ origin: config.apiOrigin, paths: ['/v1'] }],
  refresh: oauth2Refresh({ tokenEndpoint: config.tokenEndpoint, clientId: config.clientId }),
  refreshLeewaySeconds: config.refreshLeewaySeconds,
});
