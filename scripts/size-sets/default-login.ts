// The worker that runs the login itself (oidcLogin from bearer-sw/worker/login: authorization code +
// PKCE with oauth4webapi, the ID token's signature with jose), in place of oauth2Refresh, as that
// app would write its worker. The default set must not move for it: the login code enters only here.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  login: oidcLogin({ issuer: 'https://auth.example.com', clientId: 'app', redirectUri: 'https://app.example.com/callback' }),
});
