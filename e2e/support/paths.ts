import { fileURLToPath } from 'node:url';

/** Absolute paths the e2e support code needs. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const APP_SOURCE = fileURLToPath(new URL('../app/', import.meta.url));
export const APP_BUILD = fileURLToPath(new URL('../.build/app/', import.meta.url));
export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
