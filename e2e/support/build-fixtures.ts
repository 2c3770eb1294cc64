import { build, type InlineConfig, type Plugin } from 'vite';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_BUILD, APP_SOURCE, DIST, ROOT } from './paths.js';

/** The fixture app imports the package's production build, not its sources (exact names: `bearer-sw/worker` is a prefix of `bearer-sw/worker/login`). */
const alias = [
  { find: /^bearer-sw\/worker$/, replacement: join(DIST, 'worker.js') },
  { find: /^bearer-sw\/worker\/login$/, replacement: join(DIST, 'worker-login.js') },
  { find: /^bearer-sw\/client$/, replacement: join(DIST, 'client.js') },
];

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
// Exact matches: a plain alias for 'bearer-sw/worker' would also rewrite 'bearer-sw/worker/login'.
const otherRelease = [
  { find: /^bearer-sw\/worker$/, replacement: join(ROOT, 'src/worker/index.ts') },
  { find: /^bearer-sw\/worker\/login$/, replacement: join(ROOT, 'src/worker/login/index.ts') },
  { find: /^bearer-sw\/client$/, replacement: join(ROOT, 'src/client/index.ts') },
];

/**
 * Builds the package (`dist/`, with `dist/production/`) and the test app (`e2e/.build/app`): the page, and the worker as
 * one ES module that imports its config from `/sw-config.js` at run time (`/sw.js`), and as a
 * classic script on the package's IIFE build (`/sw-classic.js`); and the same page and worker of
 * a release speaking protocol {@link OTHER_PROTOCOL_VERSION} (`/protocol-2/`, `/sw-protocol-2.js`).
 */
export async function buildFixtures(): Promise<void> {
  await build({ ...quiet, configFile: join(ROOT, 'vite.config.ts'), root: ROOT });
  // The worker entries with compact messages (`exports` → `production`), for the packed tarball.
  await build({ ...quiet, configFile: join(ROOT, 'vite.worker-production.config.ts'), root: ROOT });
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
        // The classic build carries no login (the package has no classic build of it): `oidcLogin`
        // is only read when a scenario configures `login`, which no classic scenario does.
        external: ['bearer-sw/worker', 'bearer-sw/worker/login', '/sw-config.js'],
        output: {
          globals: { 'bearer-sw/worker': 'bearerSw', 'bearer-sw/worker/login': 'self.bearerSwLogin', '/sw-config.js': 'bearerSwTestConfig' },
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
