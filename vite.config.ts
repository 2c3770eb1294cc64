import { defineConfig, type BuildEnvironmentOptions } from 'vite';
import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** The worker-scope entries: built here with full sentences, and by vite.worker-production.config.ts compact. */
export const WORKER_ENTRIES = {
  worker: src('worker/index.ts'),
  'worker-login': src('worker/login/index.ts'),
  workbox: src('worker/workbox-composition.ts'),
};

/**
 * The library build both configs share: ES modules into `outDir` (not emptied), unminified with
 * source maps, dependencies left as imports for the app's bundler to resolve.
 * @param outDir - where the entries go
 * @param entry - entry name → source file
 */
export function libBuild(outDir: string, entry: Record<string, string>): BuildEnvironmentOptions {
  return {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: { entry, formats: ['es'] },
    rollupOptions: {
      // `bearer-sw/vite` runs in Node, inside the app's Vite.
      external: ['idb', 'jose', 'oauth4webapi', /^workbox-core/, 'vite', /^node:/],
      output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  };
}

/**
 * The package build: `dist/worker.js`, `dist/worker-login.js` (the optional login, an entry of
 * its own so the core never imports it), `dist/workbox.js` (`bearer-sw/worker/workbox`),
 * `dist/client.js`, `dist/server.js` (the API verifier) and `dist/vite.js` (the Vite plugin), ES
 * modules whose dependencies (idb, jose, oauth4webapi, workbox-core) stay imports for the app's
 * bundler to resolve.
 * Declarations come from `tsc -b` into `dist/types`.
 */
export default defineConfig({
  build: libBuild('dist', {
    ...WORKER_ENTRIES,
    client: src('client/index.ts'),
    server: src('server/index.ts'),
    vite: src('vite/index.ts'),
  }),
});
