// Diagnosis only: variant C (bearer.ts) with the marks of trace.ts, and two of its own around the
// install: when every module of the bundle has been evaluated, and when installTokenInjector
// (config compiled, session created, its load started, listeners added) has returned.
import { mark } from './trace.js';
import { installTokenInjector } from 'bearer-sw/worker';
import { bearerConfig } from './bearer-config.js';

mark('modulesEvaluated');
installTokenInjector(bearerConfig());
mark('scriptEnd');
