// The demo app's service worker, written as an app would write its own: the allowlist is the API's `/v1` paths,
// and the worker runs the login itself (authorization code + PKCE), so no token ever reaches the page. With DPoP
// the tokens are bound to a key pair the worker makes per session, whose private key cannot be exported.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import config from '/demo-config.js';

installTokenInjector({
  apis: [{ origin: config.apiOrigin, paths: ['/v1'] }],
  login: oidcLogin({
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    scope: config.scope,
    // The API is the resource; `login consent` shows the provider's login form every time, after a logout too.
    authorizationParams: { resource: config.apiAudience, prompt: 'login consent' },
    dpop: true,
  }),
  refreshLeewaySeconds: config.refreshLeewaySeconds,
});
