import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { startAppServer } from './support/app-server.js';
import { expect, test } from './support/fixtures.js';
import { ROOT } from './support/paths.js';
import { mintToken } from './support/tokens.js';

/** What the consumer app's page exposes (typed here; the app has its own types). */
type ConsumerWindow = { consumer: { session: { handoff(tokens: { accessToken: string; expiresIn: number }): Promise<void> } | null } };

// The package as users get it: `npm pack`, installed into a separate Vite app, built, run.
test('npm pack produces a package that installs and works in a separate Vite app', async ({ context, api }) => {
  test.setTimeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'bearer-sw-pack-'));
  try {
    // The suite's global setup built dist/ already; --ignore-scripts keeps `prepack` from
    // rebuilding it under the feet of tests running in parallel.
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
    const [info] = JSON.parse(packed) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = info?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        ...['dist/worker.js', 'dist/worker-login.js', 'dist/client.js', 'dist/server.js', 'dist/vite.js'],
        // The worker entries with compact messages (the `production` condition) and their lookup table.
        ...['dist/production/worker.js', 'dist/production/worker-login.js', 'dist/production/workbox.js', 'docs/errors.md'],
        ...['dist/types/worker/index.d.ts', 'dist/types/worker/login/index.d.ts', 'dist/types/client/index.d.ts', 'dist/types/server/index.d.ts', 'dist/types/vite/index.d.ts'],
        'README.md',
        'package.json',
      ]),
    );
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('e2e/') || f.startsWith('test/'))).toEqual([]);

    const app = join(work, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'bearer-sw': `file:../${info?.filename}` } }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, encoding: 'utf8' });
    expect(readdirSync(join(app, 'node_modules'))).toEqual(expect.arrayContaining(['bearer-sw', 'idb', 'jose', 'oauth4webapi', 'workbox-core']));
    // A second worker that runs the login: bearer-sw/worker/login resolves, type-checks and bundles from the tarball.
    writeFileSync(
      join(app, 'src', 'login-sw.ts'),
      `import { installTokenInjector } from 'bearer-sw/worker';
import { oidcLogin, type OidcLoginOptions } from 'bearer-sw/worker/login';
const options: OidcLoginOptions = { issuer: 'https://auth.invalid', clientId: 'spa', redirectUri: 'https://app.invalid/callback' };
installTokenInjector({ apis: [{ origin: 'https://api.invalid' }], login: oidcLogin(options) });
`,
    );

    writeFileSync(
      join(app, 'src', 'sw.ts'),
      `import { installTokenInjector, oauth2Refresh, type InjectorConfig } from 'bearer-sw/worker';
const config: InjectorConfig = {
  apis: [{ origin: ${JSON.stringify(api.origin('api.test'))}, paths: ['/v1'] }],
  refresh: oauth2Refresh({ tokenEndpoint: 'https://auth.invalid/token', clientId: 'spa' }),
};
installTokenInjector(config);
`,
    );
    writeFileSync(
      join(app, 'src', 'main.ts'),
      `import { registerTokenInjector, BearerSwError, type Session } from 'bearer-sw/client';
declare global { interface Window { consumer: { session: Session | null; isError: (e: unknown) => boolean } } }
window.consumer = { session: null, isError: (e) => e instanceof BearerSwError };
window.consumer.session = await registerTokenInjector('/sw.js', { type: 'module' });
document.body.dataset.ready = 'yes';
`,
    );
    writeFileSync(join(app, 'index.html'), '<!doctype html><html><body><script type="module" src="/src/main.ts"></script></body></html>');
    // Type declarations resolve from the installed package, per scope.
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const common = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck'];
    execFileSync(tsc, [...common, '--lib', 'es2022,webworker', 'src/sw.ts'], { cwd: app, encoding: 'utf8' });
    execFileSync(tsc, [...common, '--lib', 'es2022,webworker', 'src/login-sw.ts'], { cwd: app, encoding: 'utf8' });
    execFileSync(tsc, [...common, '--lib', 'es2022,dom', 'src/main.ts'], { cwd: app, encoding: 'utf8' });

    // bearer-sw/server as an API imports it: typed from the package, run in Node, a token verified and a refusal answered.
    writeFileSync(
      join(app, 'src', 'api.ts'),
      `import { errorResponse, RequestVerificationError, verifyRequest } from 'bearer-sw/server';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
const { privateKey, publicKey } = await generateKeyPair('ES256');
const options = { jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] }, issuer: 'https://idp.test', audience: 'https://api.test' };
const token = await new SignJWT({ sub: 'packed' }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer(options.issuer).setAudience(options.audience).setExpirationTime('1m').sign(privateKey);
const { claims } = await verifyRequest(new Request('https://api.test/v1', { headers: { authorization: 'Bearer ' + token } }), options);
const refusal = await verifyRequest(new Request('https://api.test/v1'), options).catch((e: unknown) => e);
const answer = refusal instanceof RequestVerificationError ? errorResponse(refusal, options) : null;
console.log(JSON.stringify({ sub: claims.sub, code: refusal instanceof RequestVerificationError ? refusal.code : null, status: answer?.status, challenge: answer?.headers.get('www-authenticate') }));
`,
    );
    execFileSync(tsc, [...common, '--lib', 'es2022,dom', 'src/api.ts'], { cwd: app, encoding: 'utf8' });
    const served = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/api.ts'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(served)).toEqual({ sub: 'packed', code: 'missing-token', status: 401, challenge: expect.stringMatching(/^Bearer, DPoP algs="ES256 /) });

    // As `vite build` from a shell: no NODE_ENV yet (an earlier test in this process may have set
    // one), so Vite settles on production and resolves `exports` with the `production` condition.
    const nodeEnv = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      await build({
        root: app,
        configFile: false,
        logLevel: 'warn',
        build: {
          outDir: join(app, 'dist'),
          target: 'es2022',
          rollupOptions: {
            input: { main: join(app, 'index.html'), sw: join(app, 'src', 'sw.ts'), 'login-sw': join(app, 'src', 'login-sw.ts') },
            output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
          },
        },
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }

    // Vite's own resolution picked the worker builds with compact messages (docs/errors.md), in
    // sw.js or the chunks it shares with login-sw.js.
    const scripts = ['sw.js', ...readdirSync(join(app, 'dist', 'assets')).map((f) => `assets/${f}`)].filter((f) => f.endsWith('.js'));
    const built = scripts.map((f) => readFileSync(join(app, 'dist', f), 'utf8')).join('\n');
    expect(built).not.toContain('Failed to install the token injector');
    expect(built).not.toContain('Failed to log in: the response matches no login in progress');
    expect(built).toMatch(/`bearer-sw [0-9a-z]{3}: \$\{/);
    const server = await startAppServer(join(app, 'dist') + '/', { apis: [] });
    try {
      const page = await context.newPage();
      await page.goto(server.origin);
      await page.waitForFunction(() => document.body.dataset.ready === 'yes');
      const token = await mintToken({ sub: 'packed' });
      await page.evaluate((t) => (window as unknown as ConsumerWindow).consumer.session?.handoff({ accessToken: t, expiresIn: 300 }), token);
      const status = await page.evaluate((u) => fetch(u).then((r) => r.status), `${api.origin()}/v1/from-package`);
      expect(status).toBe(200);
      expect(api.requests((r) => r.url === '/v1/from-package').map((r) => r.verification)).toEqual([{ ok: true, sub: 'packed', jti: expect.any(String) }]);
      // and nothing for an origin the consumer's allowlist does not name
      await page.evaluate((u) => fetch(u).then((r) => r.status), `${api.origin('evil.test')}/v1/elsewhere`);
      expect(api.leaks([token]).map((r) => r.host)).toEqual([`api.test:${api.port}`]);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
