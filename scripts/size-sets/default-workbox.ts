// The default worker hosted in the app's Workbox worker (bearer-sw/worker/workbox), as a PWA built
// with vite-plugin-pwa's injectManifest writes it: it must cost only the composition itself.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';
import { workboxComposition } from 'bearer-sw/worker/workbox';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.example.com/token', clientId: 'app' }),
  ...workboxComposition({ activation: 'prompt' }),
});
