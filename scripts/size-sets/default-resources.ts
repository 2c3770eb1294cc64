// The default worker with per-API tokens (RFC 8707): two rules, each for its own resource.
import { installTokenInjector, oauth2Refresh, perApiTokens } from 'bearer-sw/worker';

installTokenInjector({
  apis: [
    { origin: 'https://api.example.com', paths: ['/v1'], resource: 'https://api.example.com' },
    { origin: 'https://files.example.com', resource: 'https://files.example.com' },
  ],
  refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.example.com/token', clientId: 'app' }),
  perApiTokens: perApiTokens(),
});
