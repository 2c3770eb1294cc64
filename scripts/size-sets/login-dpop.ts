// Login with DPoP: the login set with `dpop: true` (key pair, proofs for the token endpoint and the
// APIs, nonces), as an app binding its tokens to the browser would write its worker.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  login: oidcLogin({ issuer: 'https://auth.example.com', clientId: 'app', redirectUri: 'https://app.example.com/callback', dpop: true }),
});
