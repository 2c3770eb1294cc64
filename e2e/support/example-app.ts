// Builds and serves an app of examples/ several times over, as its deploys would: on top of the
// examples harness (examples.ts: a copy with the packed package installed), a build per set of
// `VITE_*` variables (and per source patch), and one `vite preview` whose files are swapped.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, createServer as createViteServer, preview, type PreviewServer } from 'vite';
import { LOOPBACK_HOST } from '../../stack/loopback.js';
import { prepareExample } from './examples.js';

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

/** Sets `env` in `process.env` while `run` runs, as a shell's environment would for one command. */
async function withEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Copies `examples/<name>` with the packed package installed (the examples harness's
 * `prepareExample`, `env` in its `.env.local`). Each build's own variables come from the
 * environment, which wins over `.env.local` in Vite's `loadEnv`.
 */
export function installExample(name: string, env: Record<string, string>): InstalledExample {
  const { dir, remove } = prepareExample(name, env);
  return {
    dir,
    async build(buildName, buildEnv, patches = {}) {
      const outDir = join(dir, 'builds', buildName);
      const originals = Object.entries(patches).map(([path, transform]) => {
        const original = readFileSync(join(dir, path), 'utf8');
        writeFileSync(join(dir, path), transform(original));
        return [path, original] as const;
      });
      try {
        await withEnv(buildEnv, () => build({ root: dir, logLevel: 'warn', build: { outDir, emptyOutDir: true } }));
      } finally {
        for (const [path, original] of originals) writeFileSync(join(dir, path), original);
      }
      return outDir;
    },
    remove,
  };
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
  // A `vite build` earlier in this process left NODE_ENV=production, which a dev server would
  // honour (vite-plugin-pwa then registers its dev worker as a classic script); `vite dev` from a
  // shell starts without it.
  const server = await withEnv({ ...env, NODE_ENV: 'development' }, async () => {
    const started = await createViteServer({ root: example.dir, logLevel: 'warn', server: { host: LOOPBACK_HOST, port, strictPort: true } });
    await started.listen();
    return started;
  });
  return { origin: `http://localhost:${port}`, close: () => server.close() };
}
