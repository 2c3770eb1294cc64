import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileConfig } from '../src/worker/injector-config.js';
import { checkLoginOptions } from '../src/worker/login/login-options.js';
import { loginResources } from '../src/worker/login/login-resources.js';
import { oidcLogin } from '../src/worker/login/oidc-login.js';
import { perApiTokens } from '../src/worker/per-api-tokens.js';
import type { PageMessage } from '../src/shared/protocol.js';
import type { LoginBinding } from '../src/worker/worker-login.js';

const options = { issuer: 'https://as.test', clientId: 'spa', redirectUri: 'https://app.test/callback' };
const metadata = { issuer: 'https://as.test', authorization_endpoint: 'https://as.test/authorize', token_endpoint: 'https://as.test/token', jwks_uri: 'https://as.test/jwks' };
const orders = 'https://orders.test';
const billing = 'https://billing.test';
let databases = 0;

afterEach(() => vi.unstubAllGlobals());

/** The authorization URL a page's `session.login()` gets from a login attached to a worker with `apis`. */
async function authorizationUrl(apis: Array<Record<string, unknown>>, authorizationParams?: Record<string, string>): Promise<URL> {
  vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    return url === 'https://as.test/.well-known/openid-configuration' ? Promise.resolve(Response.json(metadata)) : Promise.reject(new TypeError('offline'));
  });
  const login = oidcLogin({ ...options, ...(authorizationParams !== undefined && { authorizationParams }) });
  const compiled = compileConfig({ apis, login, perApiTokens: perApiTokens() });
  const session = { current: null, ready: () => Promise.resolve({ tokens: null, epoch: 0 }) } as unknown as LoginBinding['session'];
  login.attach({ ...compiled, databaseName: `login-resources-${++databases}`, scope: 'https://app.test/', session });
  const message = { v: 1, type: 'login', id: 'm', payload: {} } as unknown as PageMessage;
  const reply = (await login.message(message, { id: 'tab', url: 'https://app.test/' } as Client)) as { navigate: string };
  return new URL(reply.navigate);
}

describe('the resources of a login', () => {
  it("are authorizationParams.resource first, then each rule's resource once, in config order; audience rules add none", () => {
    const { rules } = compileConfig({
      apis: [
        { origin: billing, resource: billing },
        { origin: orders, paths: ['/v1'], resource: orders },
        { origin: orders, paths: ['/v2'], resource: orders },
        { origin: 'https://auth0-api.test', audience: 'https://auth0-api' },
        { origin: 'https://plain.test' },
      ],
      refresh: () => Promise.resolve({ accessToken: 'a' }),
      perApiTokens: perApiTokens(),
    });
    expect(loginResources({}, rules)).toEqual([billing, orders]);
    expect(loginResources({ resource: orders, prompt: 'consent' }, rules)).toEqual([orders, billing]);
    expect(loginResources({ resource: 'https://main.test' }, [])).toEqual(['https://main.test']);
    expect(loginResources({ audience: 'https://auth0-api' }, rules.slice(3))).toEqual([]);
  });
});

describe('the authorization request of oidcLogin', () => {
  it("carries one resource parameter per rule's resource (RFC 8707 §2.1), besides the other parameters", async () => {
    const url = await authorizationUrl([
      { origin: orders, resource: orders },
      { origin: billing, resource: billing },
    ], { prompt: 'consent' });
    expect(url.origin + url.pathname).toBe('https://as.test/authorize');
    expect(url.searchParams.getAll('resource')).toEqual([orders, billing]);
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('client_id')).toBe('spa');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('merges authorizationParams.resource (first) with the rules, each once', async () => {
    const url = await authorizationUrl([
      { origin: orders, resource: orders },
      { origin: billing, resource: billing },
      { origin: 'https://main.test' },
    ], { resource: billing });
    expect(url.searchParams.getAll('resource')).toEqual([billing, orders]);
  });

  it('without resource rules, sends authorizationParams as they are (one resource, one audience)', async () => {
    const url = await authorizationUrl([{ origin: orders }], { resource: orders, audience: 'https://orders-api' });
    expect(url.searchParams.getAll('resource')).toEqual([orders]);
    expect(url.searchParams.getAll('audience')).toEqual(['https://orders-api']);
    expect((await authorizationUrl([{ origin: orders }])).searchParams.has('resource')).toBe(false);
  });

  it("sends no audience for audience rules: only authorizationParams.audience, when set (Auth0 takes one)", async () => {
    const apis = [
      { origin: orders, audience: 'https://orders-api' },
      { origin: billing, audience: 'https://billing-api' },
    ];
    const url = await authorizationUrl(apis);
    expect(url.searchParams.has('audience')).toBe(false);
    expect(url.searchParams.has('resource')).toBe(false);
    expect((await authorizationUrl(apis, { audience: 'https://orders-api' })).searchParams.getAll('audience')).toEqual(['https://orders-api']);
  });
});

describe('oidcLogin authorizationParams.resource', () => {
  it('must be an absolute URI without a fragment (it joins the rules’ resources)', () => {
    for (const resource of ['orders', '/api', 'https://orders.test/#x', '']) {
      expect(() => checkLoginOptions({ ...options, authorizationParams: { resource } }), resource).toThrow(
        new TypeError('Failed to create the login: authorizationParams.resource must be an absolute URI without a fragment'),
      );
    }
    expect(checkLoginOptions({ ...options, authorizationParams: { resource: 'urn:example:orders' } }).authorizationParams).toEqual({ resource: 'urn:example:orders' });
  });
});

describe("the login's refresh for a rule's target", () => {
  it('sends the rule’s resource= or audience= with the refresh token (one target each), and none for the session’s own token', async () => {
    const bodies: URLSearchParams[] = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.url === 'https://as.test/.well-known/openid-configuration') return Response.json(metadata);
      if (request.url === 'https://as.test/token') {
        bodies.push(new URLSearchParams(await request.text()));
        return Response.json({ access_token: `at-${bodies.length}`, token_type: 'Bearer', expires_in: 60, refresh_token: `rt-${bodies.length}` });
      }
      throw new TypeError('offline');
    });
    const login = oidcLogin(options);
    const compiled = compileConfig({ apis: [{ origin: orders, resource: orders }, { origin: billing, audience: 'https://billing-api' }], login, perApiTokens: perApiTokens() });
    const session = { current: null, ready: () => Promise.resolve({ tokens: null, epoch: 0 }) } as unknown as LoginBinding['session'];
    login.attach({ ...compiled, databaseName: `login-resources-${++databases}`, scope: 'https://app.test/', session });
    const [resourceRule, audienceRule] = compiled.rules;
    expect(await login.refresh('rt-0', AbortSignal.timeout(5000), resourceRule!.target!)).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 60 });
    await login.refresh('rt-1', AbortSignal.timeout(5000), audienceRule!.target!);
    await login.refresh('rt-2', AbortSignal.timeout(5000));
    expect(bodies.map((body) => [body.get('refresh_token'), body.getAll('resource'), body.getAll('audience')])).toEqual([
      ['rt-0', [orders], []],
      ['rt-1', [], ['https://billing-api']],
      ['rt-2', [], []],
    ]);
  });
});
