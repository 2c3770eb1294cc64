import type { ApiRule } from 'bearer-sw/worker';

/** Where the worker may send the token: the API, under /v1. Nothing else gets it. */
export const apis: ApiRule[] = [{ origin: import.meta.env.VITE_API_ORIGIN, paths: ['/v1'] }];
