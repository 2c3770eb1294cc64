// The app's service worker. bearerSw() in vite.config.ts bundles this file and what it imports
// into one classic script at /sw.js: in `vite` (rebuilt when you edit either), and in `vite build`.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';
import { apis } from './allowlist';

installTokenInjector({
  apis,
  refresh: oauth2Refresh({ tokenEndpoint: import.meta.env.VITE_TOKEN_ENDPOINT, clientId: import.meta.env.VITE_CLIENT_ID }),
});
