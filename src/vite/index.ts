/**
 * `bearer-sw/vite`: the Vite plugin that builds and serves the app's service worker.
 *
 * @packageDocumentation
 */
export { bearerSw } from './bearer-sw.js';
export type { BearerSwOptions } from './plugin-options.js';
