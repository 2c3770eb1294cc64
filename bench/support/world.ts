import { randomBytes } from 'node:crypto';
import type { BenchWorkerConfig } from '../workers/bench-config.js';
import type { BenchBundles } from './build.js';
import { startBenchApi, startBenchApp, type AppFile, type BenchApi, type BenchApp } from './servers.js';

/** Tokens as the page hands them to the worker. */
export interface BenchTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** The servers and tokens shared by every run. */
export interface BenchWorld {
  api: BenchApi;
  app: BenchApp;
  tokens: BenchTokens;
  /** Where variant C's `oauth2Refresh` of `world=oidc` scripts posts; set before those run. */
  setOidcTokenEndpoint(url: string, clientId: string): void;
  close(): Promise<void>;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT-shaped access token of realistic size (~1 KB), valid for an hour. */
export function benchAccessToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'bench-key-1' }));
  const payload = b64url(
    JSON.stringify({
      iss: 'https://auth.example.com/',
      sub: 'auth0|6543210fedcba9876543210f',
      aud: ['https://api.example.com', 'https://auth.example.com/userinfo'],
      iat: now,
      exp: now + 3600,
      scope: 'openid profile email offline_access read:items write:items read:orders',
      azp: 'bench-spa-client-id',
      jti: randomBytes(16).toString('hex'),
      permissions: ['read:items', 'write:items', 'read:orders', 'write:orders', 'read:profile'],
    }),
  );
  return `${header}.${payload}.${b64url(randomBytes(256))}`;
}

const INDEX = '<!doctype html><meta charset="utf-8"><title>bearer-sw bench</title><script type="module" src="/main.js"></script>';
// A small static asset of the app: what a same-origin non-API request looks like.
const STATIC = `/* app static asset */\n${'.card{margin:0 auto;padding:8px}\n'.repeat(60)}`;

/** Starts the API and the app (serving the bundles); variant scripts get their config prepended. */
export async function startWorld(bundles: BenchBundles): Promise<BenchWorld> {
  const tokens: BenchTokens = { accessToken: benchAccessToken(), refreshToken: b64url(randomBytes(32)), expiresIn: 3600 };
  const api = await startBenchApi(tokens.accessToken);
  let appOrigin = '';
  let oidc: { tokenEndpoint: string; clientId: string } | null = null;
  const configFor = (query: URLSearchParams): BenchWorkerConfig => {
    const useOidc = query.get('world') === 'oidc';
    if (useOidc && oidc === null) throw new Error('the OIDC world is not set up');
    return {
      api: api.origin('api.test'),
      app: appOrigin,
      authorization: `Bearer ${tokens.accessToken}`,
      tokenEndpoint: useOidc && oidc ? oidc.tokenEndpoint : `${api.origin('api.test')}/token`,
      clientId: useOidc && oidc ? oidc.clientId : 'bench-spa-client-id',
      instrument: query.get('instrument') === '1',
      staticRoutes: query.get('routes') !== '0',
    };
  };
  const js = 'text/javascript; charset=utf-8';
  const worker = (name: string): AppFile => ({
    type: js,
    body: (query) => {
      const code = bundles.workers[name];
      if (code === undefined) throw new Error(`no worker bundle named ${name}`);
      return `self.BENCH=${JSON.stringify(configFor(query))};\n${code}`;
    },
  });
  const files = new Map<string, AppFile>([
    ['/', { type: 'text/html; charset=utf-8', body: () => INDEX }],
    ['/main.js', { type: js, body: () => bundles.page }],
    ['/static.css', { type: 'text/css; charset=utf-8', body: () => STATIC }],
    // The bench app as the issuer of the login variants (L, D of the DPoP measures): its discovery
    // document, which their workers fetch once and then keep in IndexedDB, as with a real provider.
    [
      '/.well-known/openid-configuration',
      {
        type: 'application/json',
        body: () =>
          JSON.stringify({
            issuer: appOrigin,
            authorization_endpoint: `${appOrigin}/authorize`,
            token_endpoint: `${api.origin('api.test')}/token`,
            jwks_uri: `${appOrigin}/jwks`,
            response_types_supported: ['code'],
            dpop_signing_alg_values_supported: ['ES256'],
          }),
      },
    ],
    ['/sw-b.js', worker('floor')],
    ['/sw-c.js', worker('bearer')],
    ...Object.keys(bundles.workers).map((name): [string, AppFile] => [`/sw-${name}.js`, worker(name)]),
  ]);
  const app = await startBenchApp(files);
  appOrigin = app.origin;
  return {
    api,
    app,
    tokens,
    setOidcTokenEndpoint(tokenEndpoint, clientId) {
      oidc = { tokenEndpoint, clientId };
    },
    async close() {
      await Promise.all([api.close(), app.close()]);
    },
  };
}
