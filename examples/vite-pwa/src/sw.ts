/// <reference lib="webworker" />
// The app's one service worker: Workbox precaches the app shell and serves navigations from it
// (an offline reload works) and runtime-caches /news/; bearer-sw adds the token to API calls.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';
import { workboxComposition } from 'bearer-sw/worker/workbox';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { StaleWhileRevalidate } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<string | { url: string; revision: string | null }> };

// First: fetch listeners run in the order they are added, and the first to answer a request ends
// its dispatch, so no Workbox route added below can take an allowlisted API call from bearer-sw.
installTokenInjector({
  apis: [{ origin: import.meta.env.VITE_API_ORIGIN, paths: ['/v1'] }],
  refresh: oauth2Refresh({ tokenEndpoint: import.meta.env.VITE_TOKEN_ENDPOINT, clientId: import.meta.env.VITE_CLIENT_ID }),
  // Navigations and the app's own URLs stay Workbox's; the activation matches registerType.
  ...workboxComposition({ activation: import.meta.env.VITE_ACTIVATION === 'prompt' ? 'prompt' : 'immediate' }),
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
registerRoute(({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/news/'), new StaleWhileRevalidate({ cacheName: 'news' }));
