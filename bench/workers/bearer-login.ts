// Variant L (DPoP measures): bearer-sw with the worker's login but without DPoP, C's rules: next to D, it
// tells what the login costs a cold start (its database, discovery) apart from what DPoP costs.
import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin } from 'bearer-sw/worker/login';
import { bearerConfig } from './bearer-config.js';
import { benchConfig } from './bench-config.js';

const bench = benchConfig();
const { refresh: _, ...config } = bearerConfig();
installTokenInjector({ ...config, login: oidcLogin({ issuer: bench.app, clientId: bench.clientId, redirectUri: `${bench.app}/callback` }) });
