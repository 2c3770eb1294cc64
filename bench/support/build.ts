import { build, type Rollup } from 'vite';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = fileURLToPath(new URL('../', import.meta.url));

/** The scripts the bench serves, built in memory from the sources (no dist/ needed). */
export interface BenchBundles {
  /** The page (an ES module that imports nothing at run time). */
  page: string;
  /**
   * Classic worker scripts by name: `floor` (variant B), `bearer` (variant C: bearer-sw bundled
   * with its dependencies), and the references of `bench/diagnose.ts`.
   */
  workers: Record<string, string>;
}

/**
 * Bundles one entry the way an app's production build would: dependencies in, minified, one
 * self-contained file. Workers are classic scripts (IIFE), the page an ES module.
 */
async function bundle(entry: string, format: 'es' | 'iife', src = `${ROOT}src/`): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    resolve: {
      alias: {
        // Before 'bearer-sw/worker', which would otherwise claim it as a subpath.
        'bearer-sw/worker/login': `${src}worker/login/index.ts`,
        'bearer-sw/worker': `${src}worker/index.ts`,
        'bearer-sw/client': `${src}client/index.ts`,
      },
    },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: entry, output: { format } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`expected one chunk for ${entry}, got ${chunks.length}`);
  return chunks[0]!.code;
}

/**
 * Builds the page and the workers: `floor` and `bearer`, plus `extra` (a worker file name under
 * `bench/workers/` without `.ts`), plus `bearer-alt` when `alternativeSrc` names another source
 * tree (a directory like `src/`) to build bearer-sw from: the worker `alternativeEntry`
 * (default `bearer`) built against it.
 */
export async function buildBenchBundles(options: { extra?: readonly string[]; alternativeSrc?: string; alternativeEntry?: string } = {}): Promise<BenchBundles> {
  const names = ['floor', 'bearer', ...(options.extra ?? [])];
  const [page, ...built] = await Promise.all([
    bundle(`${BENCH}page/main.ts`, 'es'),
    ...names.map((name) => bundle(`${BENCH}workers/${name}.ts`, 'iife')),
  ]);
  const workers: Record<string, string> = {};
  names.forEach((name, i) => (workers[name] = built[i]!));
  if (options.alternativeSrc !== undefined) {
    const src = options.alternativeSrc.endsWith('/') ? options.alternativeSrc : `${options.alternativeSrc}/`;
    workers['bearer-alt'] = await bundle(`${BENCH}workers/${options.alternativeEntry ?? 'bearer'}.ts`, 'iife', src);
  }
  return { page: page!, workers };
}
