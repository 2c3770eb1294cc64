import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { buildWorker } from './build-worker.js';
import { devWorker } from './dev-worker.js';
import { checkOptions, resolveOptions, type BearerSwOptions, type ResolvedWorkerOptions } from './plugin-options.js';

/** The `<meta>` name the page module reads when `registerTokenInjector()` gets no script URL. */
export const META_NAME = 'bearer-sw';

type Next = (error?: unknown) => void;

const pathOf = (req: IncomingMessage) => (req.url ?? '/').split(/[?#]/)[0];

/** Headers every server of the worker script sends: JavaScript, never cached stale, scope allowed. */
function workerHeaders(res: ServerResponse, worker: ResolvedWorkerOptions): void {
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  if (worker.needsAllowedHeader) res.setHeader('Service-Worker-Allowed', worker.scope);
}

/**
 * The Vite plugin of bearer-sw: builds the app's service worker as one classic script, serves it
 * in `vite dev` and emits it in `vite build`, and tells the page where it is.
 *
 * - `vite dev`: the entry is bundled on request and served at `url` as a classic script
 *   (`text/javascript`, `Cache-Control: no-cache`); a change to any file it bundles gives a new
 *   script, hence a new worker, on the browser's next update check.
 * - `vite build`: one self-contained classic script at `url` in the output (no hash, no chunk shared
 *   with the page), with a source map when `build.sourcemap` is on.
 * - Every HTML page gets `<meta name="bearer-sw" content="<url>" data-scope="<scope>">`, so
 *   `registerTokenInjector()` needs no URL. `base` moves URL and scope with the app.
 *
 * @param options - `worker` (the entry, relative to the app's root), `url` (default `/sw.js`),
 *   `scope` (default `/`); both paths are under the app's `base`
 * @returns the plugin
 * @throws TypeError for malformed options; Error when the entry file does not exist (at config time)
 * @example
 * ```ts
 * // vite.config.ts
 * import { defineConfig } from 'vite'
 * import { bearerSw } from 'bearer-sw/vite'
 * export default defineConfig({ plugins: [bearerSw({ worker: 'src/sw.ts' })] })
 * ```
 */
export function bearerSw(options: BearerSwOptions): Plugin {
  const checked = checkOptions(options);
  let config: ResolvedConfig;
  let worker: ResolvedWorkerOptions;

  return {
    name: 'bearer-sw',
    configResolved(resolved) {
      config = resolved;
      worker = resolveOptions(checked, resolved.root, resolved.base);
      if (resolved.publicDir !== '' && existsSync(join(resolved.publicDir, worker.fileName))) {
        throw new Error(`Failed to build the service worker: ${join(resolved.publicDir, worker.fileName)} is in the way (bearerSw({ url }) must name a path no public file takes)`);
      }
    },
    configureServer(server) {
      const dev = devWorker(config, worker.entry, worker.fileName);
      // Before Vite's own middlewares, so the SPA fallback never answers the worker's URL with HTML.
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: Next) => {
        if (pathOf(req) !== worker.url) return next();
        dev.script().then(
          (code) => {
            workerHeaders(res, worker);
            res.end(code);
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            config.logger.error(message, { timestamp: true });
            // A failed update check keeps the current worker running.
            res.statusCode = 500;
            res.setHeader('Content-Type', 'text/plain; charset=utf-8');
            res.end(message);
          },
        );
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: Next) => {
        if (pathOf(req) === worker.url) workerHeaders(res, worker);
        next();
      });
    },
    transformIndexHtml() {
      return [{ tag: 'meta', attrs: { name: META_NAME, content: worker.url, 'data-scope': worker.scope }, injectTo: 'head' }];
    },
    async generateBundle(_output, bundle) {
      // Only the browser build carries the worker (not an SSR build of the same app).
      const consumer = (this as { environment?: { config: { consumer?: string } } }).environment?.config.consumer;
      if (config.build.ssr || (consumer !== undefined && consumer !== 'client')) return;
      if (worker.fileName in bundle) {
        this.error(`Failed to build the service worker: the output already has a file ${worker.fileName} (bearerSw({ url }) must name a free path)`);
      }
      const sourcemap = config.build.sourcemap;
      const built = await buildWorker(config, worker.entry, {
        fileName: worker.fileName,
        sourcemap: sourcemap === 'inline' || sourcemap === 'hidden' ? sourcemap : Boolean(sourcemap),
        minify: config.build.minify,
      });
      this.emitFile({ type: 'asset', fileName: worker.fileName, source: built.code });
      if (built.map !== null) this.emitFile({ type: 'asset', fileName: `${worker.fileName}.map`, source: built.map });
    },
  };
}
