// bearer-sw/vite with real Vite builds, dev and preview servers, on a throwaway app in a temp folder.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createServer, preview, type InlineConfig } from 'vite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerSw } from '../src/vite/index.js';

let app: string;

beforeEach(() => {
  app = mkdtempSync(join(tmpdir(), 'bearer-sw-vite-plugin-'));
  mkdirSync(join(app, 'src'));
  writeFileSync(join(app, 'index.html'), '<!doctype html><html><head></head><body><script type="module" src="/src/main.ts"></script></body></html>');
  writeFileSync(join(app, 'src', 'shared.ts'), "export const greeting: string = 'shared-v1';\n");
  writeFileSync(join(app, 'src', 'main.ts'), "import { greeting } from './shared';\ndocument.title = greeting;\n");
  writeFileSync(join(app, 'src', 'rules.ts'), "export const rules: string[] = ['rules-v1'];\n");
  writeFileSync(
    join(app, 'src', 'sw.ts'),
    "import { greeting } from './shared';\nimport { rules } from './rules';\nconst late = () => import('./rules');\nself.addEventListener('install', () => { console.log(greeting, rules, late, import.meta.env.VITE_WHERE); });\n",
  );
  writeFileSync(join(app, '.env'), 'VITE_WHERE=from-env-file\n');
});

afterEach(() => rmSync(app, { recursive: true, force: true }));

const config = (extra: InlineConfig = {}): InlineConfig => ({
  configFile: false,
  root: app,
  logLevel: 'silent',
  plugins: [bearerSw({ worker: 'src/sw.ts' })],
  ...extra,
});

const isClassic = (code: string) => !/^\s*(import|export)\b[^(]/m.test(code);

describe('options', () => {
  it.each([
    [undefined, /pass an options object/],
    [{}, /worker must name the worker's entry module/],
    [{ worker: '' }, /worker must name/],
    [{ worker: 'src/sw.ts', path: '/sw.js' }, /unknown option 'path'/],
    [{ worker: 'src/sw.ts', url: 'sw.js' }, /url must be a path under the app's base that starts with '\/'/],
    [{ worker: 'src/sw.ts', url: '/sw.js?v=1' }, /without '\.\.', query or fragment/],
    [{ worker: 'src/sw.ts', url: '/../sw.js' }, /without '\.\.'/],
    [{ worker: 'src/sw.ts', url: '/sw.ts' }, /url must end in '\.js'/],
    [{ worker: 'src/sw.ts', scope: 'app/' }, /scope must be a path/],
  ])('refuses %j with a TypeError naming the problem', (options, message) => {
    expect(() => bearerSw(options as never)).toThrow(TypeError);
    expect(() => bearerSw(options as never)).toThrow(message);
  });

  it('refuses a missing entry at build time, naming the path', async () => {
    const missing = build(config({ plugins: [bearerSw({ worker: 'src/nope.ts' })], build: { write: false } }));
    await expect(missing).rejects.toThrow(`Failed to build the service worker: the entry src/nope.ts does not exist (${join(app, 'src', 'nope.ts')})`);
  });

  it('refuses a relative base', async () => {
    await expect(build(config({ base: './', build: { write: false } }))).rejects.toThrow(/the app's base must be an absolute path/);
  });
});

describe('vite build', () => {
  it('emits one self-contained classic script at /sw.js, with a source map when the build makes them', async () => {
    await build(config({ build: { sourcemap: true } }));
    const dist = join(app, 'dist');
    const code = readFileSync(join(dist, 'sw.js'), 'utf8');
    expect(isClassic(code)).toBe(true);
    expect(code).toContain('shared-v1');
    expect(code).toContain('rules-v1');
    expect(code).toContain('from-env-file');
    expect(code).toMatch(/\/\/# sourceMappingURL=sw\.js\.map\s*$/);
    expect(JSON.parse(readFileSync(join(dist, 'sw.js.map'), 'utf8')).sources).toEqual(expect.arrayContaining([expect.stringMatching(/src\/sw\.ts$/)]));
    // The page's chunk has the shared module too: nothing is shared between the two.
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(html).toContain('<meta name="bearer-sw" content="/sw.js" data-scope="/">');
  });

  it("builds the worker with the app's define, resolve.alias and mode, not its other plugins", async () => {
    writeFileSync(join(app, 'src', 'sw-config.ts'), "import { rules } from '@rules';\ndeclare const __FLAG__: string;\nconsole.log(rules, __FLAG__, import.meta.env.MODE);\n");
    await build(
      config({
        mode: 'staging',
        define: { __FLAG__: JSON.stringify('defined-flag') },
        resolve: { alias: { '@rules': join(app, 'src', 'rules.ts') } },
        plugins: [bearerSw({ worker: 'src/sw-config.ts' }), { name: 'page-only', transform: (code) => code.replace('rules-v1', 'rewritten') }],
      }),
    );
    const code = readFileSync(join(app, 'dist', 'sw.js'), 'utf8');
    expect(code).toContain('rules-v1');
    expect(code).toContain('defined-flag');
    expect(code).toContain('staging');
  });

  it('builds a production worker for a production build of any mode, as Vite builds the page', async () => {
    writeFileSync(join(app, 'src', 'sw-env.ts'), "declare const process: { env: { NODE_ENV: string } };\nconsole.log('node-env:' + process.env.NODE_ENV);\n");
    // As from the command line: no NODE_ENV, so `vite build` resolves the app as production (Vitest sets 'test').
    const saved = process.env['NODE_ENV'];
    delete process.env['NODE_ENV'];
    let resolvedAsProduction: boolean | undefined;
    try {
      await build(
        config({
          mode: 'staging',
          plugins: [bearerSw({ worker: 'src/sw-env.ts' }), { name: 'spy', configResolved: (resolved) => void (resolvedAsProduction = resolved.isProduction) }],
        }),
      );
    } finally {
      process.env['NODE_ENV'] = saved;
    }
    expect(resolvedAsProduction).toBe(true);
    expect(readFileSync(join(app, 'dist', 'sw.js'), 'utf8')).toContain('node-env:production');
  });

  it('emits no source map when the build makes none', async () => {
    await build(config());
    expect(existsSync(join(app, 'dist', 'sw.js'))).toBe(true);
    expect(existsSync(join(app, 'dist', 'sw.js.map'))).toBe(false);
    expect(readFileSync(join(app, 'dist', 'sw.js'), 'utf8')).not.toContain('sourceMappingURL');
  });

  it('moves the URL and the scope with base', async () => {
    await build(config({ base: '/app/' }));
    expect(existsSync(join(app, 'dist', 'sw.js'))).toBe(true);
    expect(readFileSync(join(app, 'dist', 'index.html'), 'utf8')).toContain('<meta name="bearer-sw" content="/app/sw.js" data-scope="/app/">');
  });

  it('puts the worker where url says, and refuses a url taken by another file', async () => {
    await build(config({ plugins: [bearerSw({ worker: 'src/sw.ts', url: '/workers/auth-sw.js' })] }));
    expect(isClassic(readFileSync(join(app, 'dist', 'workers', 'auth-sw.js'), 'utf8'))).toBe(true);
    mkdirSync(join(app, 'public'));
    writeFileSync(join(app, 'public', 'sw.js'), '// a hand-written worker');
    await expect(build(config({ build: { write: false } }))).rejects.toThrow(`Failed to build the service worker: ${join(app, 'public', 'sw.js')} is in the way`);
  });
});

describe('vite dev and vite preview', () => {
  it('serves the worker as JavaScript, rebuilt when any module it bundles changes', async () => {
    const server = await createServer(config({ plugins: [bearerSw({ worker: 'src/sw.ts', url: '/workers/sw.js', scope: '/' })], server: { port: 0, host: '127.0.0.1' } }));
    await server.listen();
    try {
      const origin = `http://127.0.0.1:${(server.httpServer?.address() as { port: number }).port}`;
      const first = await fetch(`${origin}/workers/sw.js?ignored=1`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(first.headers.get('cache-control')).toBe('no-cache');
      // Wider than /workers/: the browser needs the server's permission.
      expect(first.headers.get('service-worker-allowed')).toBe('/');
      const code = await first.text();
      expect(isClassic(code)).toBe(true);
      expect(code).toContain('rules-v1');
      expect(await fetch(`${origin}/workers/sw.js`).then((r) => r.text())).toBe(code);

      writeFileSync(join(app, 'src', 'rules.ts'), "export const rules: string[] = ['rules-v2'];\n");
      const second = await fetch(`${origin}/workers/sw.js`).then((r) => r.text());
      expect(second).toContain('rules-v2');
      expect(second).not.toContain('rules-v1');

      // A broken module: a 500 that names the failure (the browser keeps the current worker), then back.
      writeFileSync(join(app, 'src', 'rules.ts'), 'export const rules: string[] = [;\n');
      const broken = await fetch(`${origin}/workers/sw.js`);
      expect(broken.status).toBe(500);
      expect(await broken.text()).toMatch(/^Failed to build the service worker: /);
      writeFileSync(join(app, 'src', 'rules.ts'), "export const rules: string[] = ['rules-v3'];\n");
      expect(await fetch(`${origin}/workers/sw.js`).then((r) => r.text())).toContain('rules-v3');

      const html = await fetch(`${origin}/`).then((r) => r.text());
      expect(html).toContain('<meta name="bearer-sw" content="/workers/sw.js" data-scope="/">');
    } finally {
      await server.close();
    }
  });

  it('serves the worker under base in dev, and the preview server sends its headers', async () => {
    const server = await createServer(config({ base: '/app/', server: { port: 0, host: '127.0.0.1' } }));
    await server.listen();
    try {
      const origin = `http://127.0.0.1:${(server.httpServer?.address() as { port: number }).port}`;
      const served = await fetch(`${origin}/app/sw.js`);
      expect(served.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      // Scope /app/ is the worker's own folder: no extra header.
      expect(served.headers.get('service-worker-allowed')).toBeNull();
    } finally {
      await server.close();
    }

    const plugins = [bearerSw({ worker: 'src/sw.ts', url: '/workers/sw.js', scope: '/' })];
    await build(config({ plugins }));
    const server2 = await preview(config({ plugins, preview: { port: 0, host: '127.0.0.1' } }));
    try {
      const origin = `http://127.0.0.1:${(server2.httpServer.address() as { port: number }).port}`;
      const served = await fetch(`${origin}/workers/sw.js`);
      expect(served.status).toBe(200);
      expect(served.headers.get('service-worker-allowed')).toBe('/');
      expect(served.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(isClassic(await served.text())).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server2.httpServer.close(() => resolve()));
    }
  });
});
