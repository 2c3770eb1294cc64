// Runs an app of examples/ as its users would: against the packed package (never src/), built
// with its own vite.config.ts by real Vite, served by `vite preview`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { build, createServer as createViteServer, preview, type PreviewServer } from 'vite';
import { LOOPBACK_HOST } from '../../stack/loopback.js';
import { ROOT } from './paths.js';

/** A copy of one example, installed with the packed package; see {@link installExample}. */
export interface InstalledExample {
  /** The copy's root: its vite.config.ts, index.html, src/. */
  readonly dir: string;
  /**
   * Builds the copy with `VITE_*` variables into `<dir>/builds/<name>`; returns that folder.
   * `patches` (path → transform) change source files for this build only.
   */
  build(name: string, env: Record<string, string>, patches?: Record<string, (source: string) => string>): Promise<string>;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * Packs the package (`npm pack`, as published: `dist/` must be built) and copies
 * `examples/<name>` into `e2e/.tmp/`, with `bearer-sw` installed from the tarball. Its other
 * dependencies (vite, vite-plugin-pwa, workbox-*) resolve from the repository's node_modules,
 * one folder up, at the versions the example's package.json asks for.
 */
export function installExample(name: string): InstalledExample {
  const tmp = join(ROOT, 'e2e', '.tmp');
  mkdirSync(tmp, { recursive: true });
  const dir = mkdtempSync(join(tmp, `${name}-`));
  const source = join(ROOT, 'examples', name);
  for (const entry of readdirSync(source)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'package-lock.json') continue;
    cpSync(join(source, entry), join(dir, entry), { recursive: true });
  }
  // --ignore-scripts: `prepack` would rebuild dist/ under the feet of tests running in parallel.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(packed) as Array<{ filename: string }>;
  if (info === undefined) throw new Error('npm pack reported no tarball');
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ ...manifest, dependencies: { ...manifest.dependencies, 'bearer-sw': `file:./${info.filename}` }, devDependencies: {} }, null, 2),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });

  return {
    dir,
    async build(buildName, env, patches = {}) {
      const outDir = join(dir, 'builds', buildName);
      const saved = { ...process.env };
      const originals = Object.entries(patches).map(([path, transform]) => {
        const original = readFileSync(join(dir, path), 'utf8');
        writeFileSync(join(dir, path), transform(original));
        return [path, original] as const;
      });
      // Vite's loadEnv takes VITE_* variables from the environment, as a CI build would.
      Object.assign(process.env, env);
      try {
        await build({ root: dir, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      } finally {
        for (const [path, original] of originals) writeFileSync(join(dir, path), original);
        for (const key of Object.keys(env)) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
      return outDir;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on the loopback interface (the app's origin must be known before its build). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Failed to find a free port: no address');
  return address.port;
}

/** `vite preview` of an installed example, serving whichever build {@link ServedExample.serve} put in place. */
export interface ServedExample {
  /** `http://localhost:<port>`. */
  readonly origin: string;
  /** Replaces what is served by a build's files (as a deploy would); the server keeps running. */
  serve(buildDir: string): void;
  close(): Promise<void>;
}

/**
 * Starts `vite preview` for the example on `port`, serving `<dir>/served` (preview reads files
 * from disk on each request, so {@link ServedExample.serve} deploys a new version in place).
 */
export async function previewExample(example: InstalledExample, port: number): Promise<ServedExample> {
  const served = join(example.dir, 'served');
  mkdirSync(served, { recursive: true });
  const server: PreviewServer = await preview({
    root: example.dir,
    logLevel: 'warn',
    build: { outDir: served },
    preview: { host: LOOPBACK_HOST, port, strictPort: true },
  });
  return {
    origin: `http://localhost:${port}`,
    serve(buildDir) {
      for (const entry of readdirSync(served)) rmSync(join(served, entry), { recursive: true, force: true });
      cpSync(buildDir, served, { recursive: true });
    },
    async close() {
      await server.close();
    },
  };
}

/**
 * Starts `vite dev` for the example on `port` with `VITE_*` variables (read when the server
 * resolves its config, as from a shell's environment).
 */
export async function devExample(example: InstalledExample, port: number, env: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const saved = { ...process.env };
  // A `vite build` earlier in this process left NODE_ENV=production, which a dev server would
  // honour (vite-plugin-pwa then registers its dev worker as a classic script); `vite dev` from a
  // shell starts without it.
  Object.assign(process.env, env, { NODE_ENV: 'development' });
  try {
    const server = await createViteServer({ root: example.dir, logLevel: 'warn', server: { host: LOOPBACK_HOST, port, strictPort: true } });
    await server.listen();
    return { origin: `http://localhost:${port}`, close: () => server.close() };
  } finally {
    for (const key of [...Object.keys(env), 'NODE_ENV']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}
