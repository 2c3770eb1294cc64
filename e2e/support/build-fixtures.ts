import { build, type InlineConfig, type Plugin } from 'vite';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_BUILD, APP_SOURCE, DIST, ROOT } from './paths.js';

/** The fixture app imports the package's production build, not its sources. */
const alias = {
  'bearer-sw/worker': join(DIST, 'worker.js'),
  'bearer-sw/client': join(DIST, 'client.js'),
};

const quiet: Pick<InlineConfig, 'logLevel' | 'configFile'> = { logLevel: 'warn', configFile: false };

/** The protocol version of the "other release" builds: one the package itself does not speak. */
export const OTHER_PROTOCOL_VERSION = 2;

/**
 * Builds the package's sources with another `PROTOCOL_VERSION`, as a release that changed the
 * protocol would ship: for the version-skew scenarios (a page and a worker of different releases).
 */
function otherProtocolVersion(): Plugin {
  const declaration = 'export const PROTOCOL_VERSION = 1;';
  return {
    name: 'bearer-sw-other-protocol-version',
    transform(code, id) {
      if (!id.endsWith('/src/shared/protocol.ts')) return null;
      if (!code.includes(declaration)) throw new Error(`build fixtures: ${id} no longer declares '${declaration}'`);
      return code.replace(declaration, `export const PROTOCOL_VERSION = ${OTHER_PROTOCOL_VERSION};`);
    },
  };
}
const otherRelease = {
  'bearer-sw/worker': join(ROOT, 'src/worker/index.ts'),
  'bearer-sw/client': join(ROOT, 'src/client/index.ts'),
};

/**
 * Builds the package (`dist/`) and the test app (`e2e/.build/app`): the page, and the worker as
 * one ES module that imports its config from `/sw-config.js` at run time (`/sw.js`), and as a
 * classic script on the package's IIFE build (`/sw-classic.js`); and the same page and worker of
 * a release speaking protocol {@link OTHER_PROTOCOL_VERSION} (`/protocol-2/`, `/sw-protocol-2.js`).
 */
export async function buildFixtures(): Promise<void> {
  await build({ ...quiet, configFile: join(ROOT, 'vite.config.ts'), root: ROOT });
  await build({ ...quiet, configFile: join(ROOT, 'vite.worker-classic.config.ts'), root: ROOT });
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
  // The same worker as a classic script (`/sw-classic.js`), as an app without module workers writes
  // it: importScripts() the package's classic build (served as `/bearer-sw.classic.js`) and the
  // config, then the same code, reading both from globals.
  await copyFile(join(DIST, 'worker.classic.js'), join(APP_BUILD, 'bearer-sw.classic.js'));
  await build({
    ...quiet,
    root: APP_SOURCE,
    build: {
      outDir: APP_BUILD,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: { entry: join(APP_SOURCE, 'sw.ts'), formats: ['iife'], name: 'bearerSwTestWorker', fileName: () => 'sw-classic.js' },
      rollupOptions: {
        external: ['bearer-sw/worker', '/sw-config.js'],
        output: {
          globals: { 'bearer-sw/worker': 'bearerSw', '/sw-config.js': 'bearerSwTestConfig' },
          banner: "importScripts('/bearer-sw.classic.js', '/sw-config.classic.js');",
        },
      },
    },
  });
  // The other release: its page under /protocol-2/ (inside the worker's scope), its worker at /sw-protocol-2.js.
  await build({
    ...quiet,
    root: APP_SOURCE,
    base: '/protocol-2/',
    resolve: { alias: otherRelease },
    plugins: [otherProtocolVersion()],
    build: { outDir: join(APP_BUILD, 'protocol-2'), emptyOutDir: true, target: 'es2022', minify: false },
  });
  await build({
    ...quiet,
    root: APP_SOURCE,
    resolve: { alias: otherRelease },
    plugins: [otherProtocolVersion()],
    build: {
      outDir: APP_BUILD,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      lib: { entry: join(APP_SOURCE, 'sw.ts'), formats: ['es'], fileName: () => 'sw-protocol-2.js' },
      rollupOptions: { external: ['/sw-config.js'] },
    },
  });
}
