import { defineConfig } from 'vite';
import { compactMessages } from './scripts/compact-messages.mjs';
import { libBuild, WORKER_ENTRIES } from './vite.config.ts';

/**
 * The production build of the worker entries: `dist/production/worker.js`, `worker-login.js` and
 * `workbox.js`, what package.json `exports` names under the `production` condition (which Vite and
 * webpack pick in a production build). The same modules as `vite.config.ts` builds, with every
 * `` msg`…` `` error sentence compacted to `bearer-sw <id>: <values>` (scripts/compact-messages.mjs;
 * the ids are listed in docs/errors.md): same codes, same error classes, same checks, fewer bytes.
 * Run after `vite.config.ts` (this one does not empty `dist/`).
 */
export default defineConfig({
  plugins: [compactMessages()],
  // The public folder (the demo's favicon) is copied once, by vite.config.ts.
  publicDir: false,
  build: libBuild('dist/production', WORKER_ENTRIES),
});
