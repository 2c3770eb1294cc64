import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * The classic-script build of the worker: `dist/worker.classic.js`, one self-contained IIFE (idb,
 * jose and workbox-core bundled in) that defines the global `bearerSw` with everything
 * `bearer-sw/worker` exports. For engines without module service workers, or apps whose worker is
 * a plain script:
 *
 * ```js
 * // sw.js, registered with navigator.serviceWorker.register('/sw.js') (type 'classic')
 * importScripts('/bearer-sw.classic.js') // a copy of node_modules/bearer-sw/dist/worker.classic.js
 * bearerSw.installTokenInjector({ apis: [{ origin: 'https://api.example.com' }] })
 * ```
 *
 * A second config because an IIFE build takes exactly one entry; run after `vite.config.ts`
 * (this one does not empty `dist/`).
 */
export default defineConfig({
  // workbox-core reads `process.env.NODE_ENV` in a few modules: settle it at build time.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      entry: fileURLToPath(new URL('./src/worker/index.ts', import.meta.url)),
      formats: ['iife'],
      name: 'bearerSw',
      fileName: () => 'worker.classic.js',
    },
  },
});
