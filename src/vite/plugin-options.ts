import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** Options of {@link bearerSw}. */
export interface BearerSwOptions {
  /** The worker's entry module, relative to the app's `root` (or absolute), e.g. `'src/sw.ts'`. */
  worker: string;
  /**
   * Where the worker is served, under the app's `base`: `'/sw.js'` (the default) serves it at
   * `<base>sw.js`. A path that starts with `/` and ends in `.js`, without query or fragment.
   */
  url?: string;
  /**
   * The registration scope, under the app's `base`; default `'/'`, i.e. the whole app (`<base>`).
   * When it is wider than the worker's folder, the dev and preview servers send
   * `Service-Worker-Allowed`; your production host must send it too.
   */
  scope?: string;
}

/** The options with the app's `root` and `base` applied. */
export interface ResolvedWorkerOptions {
  /** Absolute path of the entry module. */
  entry: string;
  /** The worker's path in the build output, relative to `outDir` (e.g. `sw.js`, `workers/sw.js`). */
  fileName: string;
  /** The worker's URL path on the server, with `base` (e.g. `/app/sw.js`). */
  url: string;
  /** The registration scope, with `base` (e.g. `/app/`). */
  scope: string;
  /** Whether `scope` is outside the worker's folder, so the server must send `Service-Worker-Allowed`. */
  needsAllowedHeader: boolean;
}

const KNOWN = new Set(['worker', 'url', 'scope']);
const ACTION = 'configure bearerSw()';

function fail(reason: string): never {
  throw new TypeError(`Failed to ${ACTION}: ${reason}`);
}

function checkPath(name: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || /[?#\\]|\/\.\.?(\/|$)/.test(value)) {
    fail(`${name} must be a path under the app's base that starts with '/', without '..', query or fragment (e.g. '${example}'); got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks the plugin's options as the user wrote them; throws a `TypeError` naming the problem.
 *
 * @throws TypeError when `worker` is missing or not a string, `url` or `scope` is malformed, or an
 *   option is unknown
 */
export function checkOptions(options: unknown): BearerSwOptions {
  if (typeof options !== 'object' || options === null) fail("pass an options object, e.g. bearerSw({ worker: 'src/sw.ts' })");
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) fail(`unknown option '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  const { worker, url, scope } = options as Record<string, unknown>;
  if (typeof worker !== 'string' || worker.trim() === '') fail("worker must name the worker's entry module, e.g. 'src/sw.ts'");
  const checked: BearerSwOptions = { worker };
  if (url !== undefined) {
    checked.url = checkPath('url', url, '/sw.js');
    if (!checked.url.endsWith('.js')) fail(`url must end in '.js' so every server sends it as JavaScript; got ${JSON.stringify(url)}`);
  }
  if (scope !== undefined) checked.scope = checkPath('scope', scope, '/');
  return checked;
}

/**
 * Applies the app's `root` and `base` to checked options.
 *
 * @param base - the app's resolved `base`; it must be an absolute path (`/`, `/app/`)
 * @throws TypeError for a relative or URL `base`; Error when the entry file does not exist (naming its path)
 */
export function resolveOptions(options: BearerSwOptions, root: string, base: string): ResolvedWorkerOptions {
  if (!base.startsWith('/')) {
    fail(`the app's base must be an absolute path such as '/' or '/app/' (got ${JSON.stringify(base)}): a worker's URL and scope cannot follow a relative or cross-origin base`);
  }
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const entry = isAbsolute(options.worker) ? options.worker : resolve(root, options.worker);
  if (!existsSync(entry)) {
    const shown = relative(root, entry).startsWith('..') ? entry : relative(root, entry);
    throw new Error(`Failed to build the service worker: the entry ${shown} does not exist (${entry}); bearerSw({ worker }) names a path relative to the app's root`);
  }
  const fileName = (options.url ?? '/sw.js').slice(1);
  const url = prefix + fileName;
  const scope = prefix + (options.scope ?? '/').slice(1);
  const folder = url.slice(0, url.lastIndexOf('/') + 1);
  return { entry, fileName, url, scope, needsAllowedHeader: !scope.startsWith(folder) };
}
