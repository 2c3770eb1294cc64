// Core: the token injector with the app's own refresh function (no oauth2Refresh), as an app
// whose token endpoint speaks its own protocol would write its worker.
import { installTokenInjector, RefreshRejectedError, type TokenSet } from 'bearer-sw/worker';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  async refresh(refreshToken, signal) {
    const response = await fetch('https://auth.example.com/refresh', { method: 'POST', body: refreshToken, signal });
    if (response.status === 401) throw new RefreshRejectedError('Failed to refresh tokens: the refresh token was refused');
    return (await response.json()) as TokenSet;
  },
});
