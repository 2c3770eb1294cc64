/**
 * The harness for `examples/`: each example runs as a user's app would — its own copy, the
 * package installed from the tarball `npm pack` made, its own `vite.config.ts` — against the
 * local OAuth stack (`stack/`: oidc-provider, an API on another origin verifying with jose).
 *
 * Shared by the Playwright specs (`e2e/examples-*.spec.ts`), the engine runner and
 * `examples/run.ts`. No network: the copy's `node_modules` links the repository's packages
 * (vite, the package's own dependencies) and holds the unpacked tarball as `bearer-sw`, which is
 * what `npm install <tarball>` would put there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { createApiVerifier } from '../../stack/api-verifier.js';
import { LOOPBACK_HOST } from '../../stack/loopback.js';
import { startOidcProvider, type OidcServer } from '../../stack/provider.js';
import { ROOT } from './paths.js';
import { startRecordingServer, type RecordingServer } from './recording-server.js';

/** Where the packed tarball of this checkout is kept between runs of one build. */
const PACK_DIR = join(ROOT, 'e2e', '.build', 'pack');
export const EXAMPLES_DIR = join(ROOT, 'examples');

/** How an example is served: `vite` (dev server) or `vite build` + `vite preview`. */
export type ExampleMode = 'dev' | 'build';

/**
 * Packs the package (`npm pack`, from the `dist/` the caller built) into `e2e/.build/pack` and
 * returns the tarball's path. `--ignore-scripts`: `prepack` would rebuild `dist/` under the feet
 * of tests running in parallel. Call once per run (global setup, the engine runner).
 */
export function packTarball(): string {
  rmSync(PACK_DIR, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', PACK_DIR], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(packed) as Array<{ filename: string }>;
  if (info === undefined) throw new Error('Failed to pack the package: npm pack reported no file');
  return join(PACK_DIR, info.filename);
}

/** The tarball {@link packTarball} made in this checkout; packs one if there is none yet. */
export function packedTarball(): string {
  const found = existsSync(PACK_DIR) ? readdirSync(PACK_DIR).filter((f) => f.endsWith('.tgz')) : [];
  return found.length === 1 && found[0] !== undefined ? join(PACK_DIR, found[0]) : packTarball();
}

/** A free TCP port on loopback (the app's origin must be known before the provider starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A copy of an example with the package installed from the tarball. */
export interface PreparedExample {
  /** The copy's folder (a temporary directory). */
  dir: string;
  /** Deletes the copy. */
  remove(): void;
}

/**
 * Copies `examples/<name>` to a temporary folder and installs the package into it from the
 * tarball; writes `env` to its `.env.local` (what a user puts there: the stack's addresses).
 *
 * @throws Error when the example does not depend on `bearer-sw` through a `file:` tarball
 */
export function prepareExample(name: string, env: Record<string, string>, tarball = packedTarball()): PreparedExample {
  const source = join(EXAMPLES_DIR, name);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const spec = manifest.dependencies?.['bearer-sw'];
  if (spec === undefined || !spec.startsWith('file:') || !spec.endsWith('.tgz')) {
    throw new Error(`Failed to prepare example ${name}: its package.json must depend on bearer-sw through the packed tarball (file:…tgz), not ${spec}`);
  }
  const dir = mkdtempSync(join(tmpdir(), `bearer-sw-example-${name}-`));
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|dist)([\\/]|$)|\.env\.local$/.test(path.slice(source.length)),
  });
  // The copy's package.json names the tarball it got, as `npm install <tarball>` records it.
  manifest.dependencies = { ...manifest.dependencies, 'bearer-sw': `file:${tarball}` };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'bearer-sw'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === 'bearer-sw' || entry === '.vite' || entry === '.package-lock.json') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  execFileSync('tar', ['-xzf', tarball, '--strip-components=1', '-C', join(modules, 'bearer-sw')]);
  writeFileSync(join(dir, '.env.local'), Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join(''));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running example: served by Vite on `origin`. */
export interface ExampleServer {
  origin: string;
  /** Where the app is: `origin` plus its `base` (e.g. `http://localhost:5173/app/`). */
  url: string;
  /** `build` mode: runs `vite build` again (the preview server serves the new files). */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

const quiet = { logLevel: 'warn', clearScreen: false } as const;

/**
 * Serves a prepared example on `port` of loopback: `dev` runs the dev server (`vite`), `build`
 * runs `vite build` then `vite preview`. The example's own `vite.config.ts` applies.
 */
export async function serveExample(dir: string, mode: ExampleMode, port: number, options: { base?: string } = {}): Promise<ExampleServer> {
  // An inline `base` wins over the example's config file, as `vite --base` does.
  const common = { ...quiet, root: dir, configFile: join(dir, 'vite.config.ts'), ...(options.base !== undefined && { base: options.base }) };
  const origin = `http://localhost:${port}`;
  if (mode === 'dev') {
    const server: ViteDevServer = await createServer({ ...common, server: { host: LOOPBACK_HOST, port, strictPort: true } });
    await server.listen();
    return {
      origin,
      url: origin + server.config.base,
      rebuild: () => Promise.reject(new Error('Failed to rebuild: a dev server rebuilds on request')),
      close: () => server.close(),
    };
  }
  const buildIt = async () => {
    await build({ ...common, build: { sourcemap: true } });
  };
  await buildIt();
  const server: PreviewServer = await preview({ ...common, preview: { host: LOOPBACK_HOST, port, strictPort: true } });
  return {
    origin,
    url: origin + server.config.base,
    rebuild: buildIt,
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}

/** An example with its OAuth stack, as {@link startExample} returns it. */
export interface RunningExample extends ExampleServer {
  name: string;
  mode: ExampleMode;
  /** The copy's folder: edit its `src/` to change the app. */
  dir: string;
  /** The OpenID Provider (oidc-provider) the app logs in at; `stats` counts its grants. */
  oidc: OidcServer;
  /** The API on another origin (`http://localhost:<port>`): records every request and verifies tokens with jose. */
  api: RecordingServer;
  apiOrigin: string;
}

/** Options of {@link startExample}. */
export interface StartExampleOptions {
  /** The tarball to install; default: the one this run packed ({@link packedTarball}). */
  tarball?: string;
  /** Lifetime of the provider's access tokens, in seconds (default 20). */
  accessTokenTtl?: number;
  /** Serve the app under this `base` (e.g. `/app/`) instead of its config's. */
  base?: string;
}

/**
 * Starts the local OAuth stack for an example and the example itself (copied, installed from the
 * tarball, configured through `.env.local`, served in `mode`). The provider knows the app's
 * origin, its redirect URI `<origin><base>callback` (which the example's worker answers) and
 * client id `bearer-sw-example`, and issues access tokens for the API's origin; the API answers
 * 401 under `/v1` without a valid token, as a real one would.
 */
export async function startExample(name: string, mode: ExampleMode, options: StartExampleOptions = {}): Promise<RunningExample> {
  const port = await freePort();
  const appOrigin = `http://localhost:${port}`;
  let verifier: ReturnType<typeof createApiVerifier> | null = null;
  const api = await startRecordingServer({
    requireToken: true,
    async verify(_token, { message, header }) {
      if (verifier === null) return { ok: false, error: 'no verifier yet' };
      const result = await verifier.verifyIncoming(message, header);
      return result.ok ? { ok: true, sub: result.sub, jti: result.jti } : { ok: false, error: result.error, challenge: result.challenge };
    },
  });
  const apiOrigin = api.origin('localhost');
  const closers: Array<() => Promise<void>> = [() => api.close()];
  try {
    const oidc = await startOidcProvider({
      appOrigin,
      apiAudience: apiOrigin,
      redirectUri: `${appOrigin}${options.base ?? '/'}callback`,
      clientId: 'bearer-sw-example',
      ...(options.accessTokenTtl !== undefined && { accessTokenTtl: options.accessTokenTtl }),
    });
    closers.push(() => oidc.close());
    verifier = createApiVerifier(oidc, apiOrigin);
    // What the worker's login (oidcLogin) needs: the issuer (it discovers the endpoints), the
    // client id, and the API, which is also the tokens' audience.
    const prepared = prepareExample(name, { VITE_ISSUER: oidc.issuer, VITE_CLIENT_ID: oidc.clientId, VITE_API_ORIGIN: apiOrigin }, options.tarball);
    closers.push(async () => prepared.remove());
    const server = await serveExample(prepared.dir, mode, port, options.base === undefined ? {} : { base: options.base });
    closers.push(() => server.close());
    return {
      ...server,
      name,
      mode,
      dir: prepared.dir,
      oidc,
      api,
      apiOrigin,
      async close() {
        for (const close of closers.reverse()) await close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

