// Default: the token injector with the OAuth 2.0 refresh-token grant, static routes on (their
// default) — the worker most apps ship. Budget: 8,376 B, AxaFrance's service worker as shipped.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.example.com/token', clientId: 'app' }),
});
