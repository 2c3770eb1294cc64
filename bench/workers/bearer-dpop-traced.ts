// Diagnosis only: variant D (bearer-dpop.ts, the login with DPoP, without its cost probe) with the
// marks of trace.ts, and the same two of its own as bearer-traced.ts around the install.
import { mark } from './trace.js';
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import { bearerConfig } from './bearer-config.js';
import { benchConfig } from './bench-config.js';

mark('modulesEvaluated');
const bench = benchConfig();
const { refresh: _, ...config } = bearerConfig();
installTokenInjector({
  ...config,
  login: oidcLogin({ issuer: bench.app, clientId: bench.clientId, redirectUri: `${bench.app}/callback`, dpop: true }),
});
mark('scriptEnd');
