import { isAbsolute } from 'node:path';
import { build, type ResolvedConfig } from 'vite';

/** One build of the worker: a self-contained classic script. */
export interface WorkerBuild {
  code: string;
  /** The source map as JSON text, when one was asked for. */
  map: string | null;
  /** Absolute paths of every file bundled in: what a rebuild depends on. */
  files: string[];
}

/** How {@link buildWorker} builds: for `vite dev` or for `vite build`. */
export interface WorkerBuildOptions {
  /** The worker's file name, relative to the output folder (e.g. `sw.js`): names the source map. */
  fileName: string;
  /** `true`/`'hidden'`: a separate map; `'inline'`: in the code; `false`: none. */
  sourcemap: boolean | 'inline' | 'hidden';
  minify: ResolvedConfig['build']['minify'];
}

interface OutputChunkLike {
  type: 'chunk' | 'asset';
  fileName: string;
  code?: string;
  moduleIds?: readonly string[];
  modules?: Record<string, unknown>;
  source?: string | Uint8Array;
}

/**
 * Bundles the worker entry with everything it imports into one classic script (IIFE): no import
 * statement left, no chunk shared with the page, so it runs as a `type: 'classic'` worker in every
 * engine. It builds with the app's root, mode, `define`, `resolve.alias` and env files (so
 * `import.meta.env.VITE_*` works in the worker), but not with the app's plugins.
 *
 * @throws Error `Failed to build the service worker: …` with the bundler's message
 */
export async function buildWorker(app: ResolvedConfig, entry: string, options: WorkerBuildOptions): Promise<WorkerBuild> {
  // The app's resolved config decides, for the conditions as for NODE_ENV below: production for a
  // build Vite resolved as production (`vite build`, whatever its `--mode`, unless the app sets
  // NODE_ENV itself); development for the dev server, always (an earlier build in the same process
  // leaves NODE_ENV at 'production', which Vite's own `isProduction` would then follow). A
  // production build resolves packages' `production` exports (so bearer-sw's worker carries compact
  // messages, docs/errors.md), `vite` dev their `development` or `import` ones (full sentences).
  const production = app.command === 'build' && app.isProduction;
  let result: unknown;
  try {
    result = await build({
      configFile: false,
      root: app.root,
      mode: app.mode,
      envDir: app.envDir,
      ...(app.envPrefix === undefined ? {} : { envPrefix: app.envPrefix }),
      logLevel: 'warn',
      customLogger: app.logger,
      clearScreen: false,
      publicDir: false,
      // Vite's browser conditions, plus `worker` for packages with a build for worker scopes.
      resolve: { alias: app.resolve.alias, conditions: ['worker', 'module', 'browser', production ? 'production' : 'development'] },
      define: {
        ...app.define,
        // workbox-core and others read process.env.NODE_ENV; a worker has no `process`.
        'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development'),
      },
      build: {
        write: false,
        copyPublicDir: false,
        emptyOutDir: false,
        target: app.build.target,
        minify: options.minify,
        sourcemap: options.sourcemap,
        reportCompressedSize: false,
        // IIFE: Vite's lib mode inlines dynamic imports for it, so the output is one file.
        lib: { entry, formats: ['iife'], name: '__bearerSwWorker', fileName: () => options.fileName },
      },
    });
  } catch (cause) {
    throw new Error(`Failed to build the service worker: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  const outputs = (Array.isArray(result) ? result : [result]) as Array<{ output?: OutputChunkLike[] }>;
  const files = outputs.flatMap((r) => r.output ?? []);
  const chunks = files.filter((f) => f.type === 'chunk');
  const chunk = chunks[0];
  if (chunks.length !== 1 || chunk === undefined || typeof chunk.code !== 'string') {
    throw new Error(`Failed to build the service worker: expected one script, the bundler made ${chunks.length}`);
  }
  const mapAsset = files.find((f) => f.type === 'asset' && f.fileName === `${options.fileName}.map`);
  const map = mapAsset?.source === undefined ? null : typeof mapAsset.source === 'string' ? mapAsset.source : new TextDecoder().decode(mapAsset.source);
  const ids = chunk.moduleIds ?? Object.keys(chunk.modules ?? {});
  return { code: chunk.code, map, files: ids.filter((id) => isAbsolute(id) && !id.includes('\0')) };
}
