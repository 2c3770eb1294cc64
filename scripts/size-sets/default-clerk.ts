// The default worker with the preset for session tokens minted from Clerk's Frontend API in place of oauth2Refresh, as that app
// would write its worker: it must cost only the preset itself.
import { installTokenInjector, clerkSessionToken } from 'bearer-sw/worker';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  refresh: clerkSessionToken({ frontendApi: 'https://clerk.example.com' }),
});
