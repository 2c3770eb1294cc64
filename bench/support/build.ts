import { build, type Rollup } from 'vite';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = fileURLToPath(new URL('../', import.meta.url));

/** The scripts the bench serves, built in memory from the sources (no dist/ needed). */
export interface BenchBundles {
  /** The page (an ES module that imports nothing at run time). */
  page: string;
  /** Variant B: the floor worker, a classic script. */
  floor: string;
  /** Variant C: bearer-sw, bundled with its dependencies, a classic script. */
  bearer: string;
}

/**
 * Bundles one entry the way an app's production build would: dependencies in, minified, one
 * self-contained file. Workers are classic scripts (IIFE), the page an ES module.
 */
async function bundle(entry: string, format: 'es' | 'iife'): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    resolve: {
      alias: {
        'bearer-sw/worker': `${ROOT}src/worker/index.ts`,
        'bearer-sw/client': `${ROOT}src/client/index.ts`,
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

/** Builds the page and both workers. */
export async function buildBenchBundles(): Promise<BenchBundles> {
  const [page, floor, bearer] = await Promise.all([
    bundle(`${BENCH}page/main.ts`, 'es'),
    bundle(`${BENCH}workers/floor.ts`, 'iife'),
    bundle(`${BENCH}workers/bearer.ts`, 'iife'),
  ]);
  return { page, floor, bearer };
}
