import { build, type InlineConfig } from 'vite';
import { join } from 'node:path';
import { APP_BUILD, APP_SOURCE, DIST, ROOT } from './paths.js';

/** The fixture app imports the package's production build, not its sources. */
const alias = {
  'bearer-sw/worker': join(DIST, 'worker.js'),
  'bearer-sw/client': join(DIST, 'client.js'),
};

const quiet: Pick<InlineConfig, 'logLevel' | 'configFile'> = { logLevel: 'warn', configFile: false };

/**
 * Builds the package (`dist/`) and the test app (`e2e/.build/app`): the page, and the worker as
 * one ES module that imports its config from `/sw-config.js` at run time.
 */
export async function buildFixtures(): Promise<void> {
  await build({ ...quiet, configFile: join(ROOT, 'vite.config.ts'), root: ROOT });
  await build({
    ...quiet,
    root: APP_SOURCE,
    resolve: { alias },
    build: { outDir: APP_BUILD, emptyOutDir: true, target: 'es2022', minify: false, sourcemap: true },
  });
  await build({
    ...quiet,
    root: APP_SOURCE,
    resolve: { alias },
    build: {
      outDir: APP_BUILD,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: { entry: join(APP_SOURCE, 'sw.ts'), formats: ['es'], fileName: () => 'sw.js' },
      rollupOptions: { external: ['/sw-config.js'] },
    },
  });
}
