import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { build, type InlineConfig } from 'vite';

import { DEMO_APP_SOURCE, DEMO_PUBLIC, DIST, ROOT } from '../paths.js';

/** The SPA imports the package's production build, as an app installing bearer-sw from npm would (exact names). */
const alias = [
  { find: /^bearer-sw\/worker$/, replacement: join(DIST, 'worker.js') },
  { find: /^bearer-sw\/worker\/login$/, replacement: join(DIST, 'worker-login.js') },
  { find: /^bearer-sw\/client$/, replacement: join(DIST, 'client.js') },
];

/** Generated per run by the app server; left as an import for the browser to fetch. */
const external = ['/demo-config.js'];

/** When to run `npm run build` before building the SPA. */
export type PackageBuildPolicy = 'if-missing' | 'if-stale';

/** Whether `dist/` is missing or, with `if-stale`, older than a source file of the package. */
function packageNeedsBuild(policy: PackageBuildPolicy): boolean {
  const built = [join(DIST, 'worker.js'), join(DIST, 'worker-login.js'), join(DIST, 'client.js')];
  if (!built.every((file) => existsSync(file))) return true;
  if (policy === 'if-missing') return false;
  const builtAt = Math.min(...built.map((file) => statSync(file).mtimeMs));
  return ['shared', 'worker', 'client'].some((scope) => {
    const dir = join(ROOT, 'src', scope);
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((file) => statSync(join(dir, file)).mtimeMs > builtAt);
  });
}

/**
 * Builds the demo SPA into `outDir`: the page (`index.html` and its modules) and the worker (`sw.js`, one ES module).
 * Runs `npm run build` first when the package build is missing or (with `if-stale`, the default) older than its
 * sources.
 *
 * @throws Error when a build fails
 */
export async function buildDemoApp(outDir: string, policy: PackageBuildPolicy = 'if-stale'): Promise<void> {
  if (packageNeedsBuild(policy)) {
    const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('Failed to build the demo: `npm run build` failed');
  }
  const common: InlineConfig = {
    configFile: false,
    logLevel: 'warn',
    root: DEMO_APP_SOURCE,
    resolve: { alias },
  };
  await build({
    ...common,
    publicDir: DEMO_PUBLIC,
    build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { external } },
  });
  await build({
    ...common,
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      lib: { entry: join(DEMO_APP_SOURCE, 'sw.ts'), formats: ['es'], fileName: () => 'sw.js' },
      rollupOptions: { external },
    },
  });
}
