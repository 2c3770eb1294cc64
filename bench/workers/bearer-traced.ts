// Diagnosis only: variant C (bearer.ts) with the marks of trace.ts, and three of its own around the
// install: when every module of the bundle has been evaluated, when the app's config object is
// built (`configBuilt`: its oauth2Refresh validated), and when installTokenInjector (config
// compiled, session created, its load started, listeners added) has returned.
import { mark } from './trace.js';
import { installTokenInjector } from 'bearer-sw/worker';
import { bearerConfig } from './bearer-config.js';

mark('modulesEvaluated');
const config = bearerConfig();
mark('configBuilt');
installTokenInjector(config);
mark('scriptEnd');
