/// <reference lib="webworker" />
// The app's one service worker: Workbox precaches the app shell and serves navigations from it
// (an offline reload works) and runtime-caches /news/; bearer-sw runs the login (authorization
// code + PKCE at the provider) and adds the token to API calls. No token ever reaches the page.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import { workboxComposition } from 'bearer-sw/worker/workbox';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { StaleWhileRevalidate } from 'workbox-strategies';
import { env } from './env.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

// First: fetch listeners run in the order they are added, and the first to answer a request ends
// its dispatch, so no Workbox route added below can take an allowlisted API call from bearer-sw,
// nor the provider's redirect to /callback (the navigation route would serve index.html for it).
installTokenInjector({
  apis: [{ origin: env.apiOrigin, paths: ['/v1'] }],
  login: oidcLogin({
    issuer: env.issuer,
    clientId: env.clientId,
    redirectUri: new URL('/callback', self.location.origin).href,
    // A refresh token needs offline_access; `login consent` shows the provider's forms every time.
    scope: 'openid offline_access profile api:read',
    authorizationParams: { resource: env.apiAudience, prompt: 'login consent' },
  }),
  // Navigations and the app's own URLs stay Workbox's; the activation matches registerType.
  ...workboxComposition({ activation: import.meta.env.VITE_ACTIVATION === 'prompt' ? 'prompt' : 'immediate' }),
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
registerRoute(({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/news/'), new StaleWhileRevalidate({ cacheName: 'news' }));
