// Login: the default set's injector with the worker's own OAuth client (bearer-sw/worker/login:
// oauth4webapi, jose's JWKS verification) passed as `login`, as an app logging in in the worker
// would write it.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';

installTokenInjector({
  apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
  login: oidcLogin({ issuer: 'https://auth.example.com', clientId: 'app', redirectUri: 'https://app.example.com/callback' }),
});
