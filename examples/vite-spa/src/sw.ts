// The app's service worker. bearerSw() in vite.config.ts bundles this file and what it imports
// into one classic script at /sw.js: in `vite` (rebuilt when you edit either), and in `vite build`.
// The worker runs the login itself (authorization code + PKCE at the provider): the tokens never
// reach the page.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import { apis } from './allowlist';

declare const self: ServiceWorkerGlobalScope;

installTokenInjector({
  apis,
  login: oidcLogin({
    issuer: import.meta.env.VITE_ISSUER,
    clientId: import.meta.env.VITE_CLIENT_ID,
    // Inside the worker's scope (under the app's `base`): the worker answers this navigation.
    redirectUri: new URL('callback', self.registration.scope).href,
    // A refresh token needs offline_access; oidc-provider grants it only with prompt=consent.
    scope: 'openid offline_access profile api:read',
    // The API is the token's audience (RFC 8707).
    authorizationParams: { resource: import.meta.env.VITE_API_ORIGIN, prompt: 'consent' },
  }),
});
