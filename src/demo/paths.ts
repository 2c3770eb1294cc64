import { fileURLToPath } from 'node:url';

/** Absolute paths the demo needs. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The SPA's sources: `index.html`, the page modules and the worker entry. */
export const DEMO_APP_SOURCE = fileURLToPath(new URL('./app/', import.meta.url));
/** Static assets copied as they are into the build. */
export const DEMO_PUBLIC = fileURLToPath(new URL('../../public/', import.meta.url));
/** The package build the SPA imports. */
export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
/** Default output: screenshots, `summary.json` and the built SPA (git-ignored). */
export const DEMO_OUTPUT = fileURLToPath(new URL('../../demo-output/', import.meta.url));
