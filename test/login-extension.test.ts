import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileConfig } from '../src/worker/injector-config.js';
import { generateDpopKeyPair } from '../src/worker/dpop/generate-dpop-key-pair.js';
import { oidcLogin } from '../src/worker/login/oidc-login.js';
import { RefreshRejectedError } from '../src/worker/refresh-errors.js';
import type { StoredSession } from '../src/worker/token-store.js';
import type { LoginBinding } from '../src/worker/worker-login.js';

const options = { issuer: 'https://as.test', clientId: 'spa', redirectUri: 'https://app.test/callback' };
const apis = [{ origin: 'https://api.test' }];
let databases = 0;

/** A binding as installTokenInjector builds it from the compiled config, with a session holding `current`. */
function bindingFor(config: Record<string, unknown>, current: StoredSession | null): LoginBinding {
  const compiled = compileConfig({ apis, ...config });
  const session = { current, ready: () => Promise.resolve(current ?? { tokens: null, epoch: 0 }) } as unknown as LoginBinding['session'];
  return { ...compiled, databaseName: `login-extension-${++databases}`, scope: 'https://app.test/', session };
}

afterEach(() => vi.unstubAllGlobals());

describe('the login as the core sees it', () => {
  it('refuses, at attach, a config that also has refresh; alone, the session refreshes with the login', () => {
    vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
    const login = oidcLogin(options);
    const refresh = () => Promise.resolve({ accessToken: 'a' });
    const both = bindingFor({ login, refresh }, null);
    expect(both.refresh).toBe(refresh);
    expect(() => login.attach(both)).toThrow(/Failed to install the token injector: login must be what oidcLogin\(\) returns, without refresh/);

    const alone = oidcLogin(options);
    const binding = bindingFor({ login: alone }, null);
    expect(binding.refresh).toBe(alone.refresh);
    expect(() => alone.attach(binding)).not.toThrow();
  });

  it("opens its own database (discovery) only 50 ms after start, out of the way of a restarted worker's first request", () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
      const open = vi.spyOn(indexedDB, 'open');
      const login = oidcLogin(options);
      const binding = bindingFor({ login }, null);
      login.attach(binding);
      expect(open).not.toHaveBeenCalled();
      vi.advanceTimersByTime(49);
      expect(open).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(open).toHaveBeenCalledWith(`${binding.databaseName}-login`, 1);
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it("answers hello after the session's read, and opens its database for a stopped run's failed logins only then", async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
    const open = vi.spyOn(indexedDB, 'open');
    try {
      const login = oidcLogin(options);
      const binding = bindingFor({ login }, null);
      let read: (snapshot: { state: 'unauthenticated'; epoch: number }) => void = () => undefined;
      binding.session.snapshot = () => new Promise((resolve) => (read = resolve));
      login.attach(binding);
      const hello = login.message({ v: 1, type: 'hello', id: '1', payload: { version: 'x' } }, { id: 'tab', url: 'https://app.test/' } as Client);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(open).not.toHaveBeenCalled();
      read({ state: 'unauthenticated', epoch: 0 });
      expect(await hello).toEqual({ state: 'unauthenticated', epoch: 0, version: expect.any(String), loginFailed: null });
      expect(open).toHaveBeenCalledWith(`${binding.databaseName}-login`, 1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('shows the user it stored with the tokens in every snapshot of a usable session, and nothing else', () => {
    vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')));
    const user = { sub: 'alice', email: 'a@example.test' };
    const current: StoredSession = { tokens: { accessToken: 'a', refreshToken: 'r', idToken: 'id', user }, epoch: 3 };
    const login = oidcLogin(options);
    login.attach(bindingFor({ login }, current));

    const usable = { state: 'authenticated' as const, epoch: 3 };
    login.changed(usable);
    expect(usable).toEqual({ state: 'authenticated', epoch: 3, user });

    const ended = { state: 'unauthenticated' as const, epoch: 4 };
    login.changed(ended);
    expect(ended).toEqual({ state: 'unauthenticated', epoch: 4 });

    current.tokens = { accessToken: 'b' };
    const handedOff = { state: 'authenticated' as const, epoch: 5 };
    login.changed(handedOff);
    expect(handedOff).toEqual({ state: 'authenticated', epoch: 5 });
  });

  describe('a page request before discovery is known (a worker just started)', () => {
    // The token endpoint on another origin than the issuer, as Google's is.
    const metadata = {
      issuer: 'https://as.test',
      authorization_endpoint: 'https://as.test/authorize',
      token_endpoint: 'https://tokens.test/token',
      revocation_endpoint: 'https://as.test/revoke',
      jwks_uri: 'https://as.test/jwks',
    };
    /** The login attached with discovery served (after `delayMs`) or failing, and every URL fetched. */
    function started(discovery: 'served' | 'failing') {
      const fetched: string[] = [];
      vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
        const url = input instanceof Request ? input.url : String(input);
        fetched.push(url);
        if (url === 'https://as.test/.well-known/openid-configuration') {
          return discovery === 'served'
            ? Promise.resolve(Response.json(metadata))
            : Promise.reject(new TypeError('offline'));
        }
        return Promise.resolve(new Response('passed'));
      });
      const login = oidcLogin(options);
      login.attach(bindingFor({ login }, null));
      const intercept = (url: string, method = 'POST') =>
        login.intercept({ request: new Request(url, { method, ...(method === 'POST' && { body: 'grant_type=authorization_code&code=c' }) }) } as FetchEvent);
      return { fetched, intercept };
    }

    it('holds a POST to a token endpoint on another origin until discovery is known, then refuses it', async () => {
      const { fetched, intercept } = started('served');
      const held = intercept('https://tokens.test/token');
      expect(held).not.toBeNull();
      expect((await held)?.status).toBe(403);
      expect(fetched).not.toContain('https://tokens.test/token');
      // Now known: refused at once, and the revocation endpoint too.
      expect((await intercept('https://tokens.test/token'))?.status).toBe(403);
      expect((await intercept('https://as.test/revoke'))?.status).toBe(403);
    });

    it('lets a held request that is no endpoint go on, and an API request or a GET pass at once', async () => {
      const { fetched, intercept } = started('served');
      expect(intercept('https://api.test/v1/items')).toBeNull();
      expect(intercept('https://tokens.test/token', 'GET')).toBeNull();
      const other = await intercept('https://elsewhere.test/form');
      expect(await other?.text()).toBe('passed');
      expect(fetched).toContain('https://elsewhere.test/form');
    });

    it("sends a held request an API rule on the issuer's origin takes with its token, once it is known to be no endpoint", async () => {
      const sent: Array<{ url: string; authorization: string | null }> = [];
      vi.stubGlobal('fetch', (input: RequestInfo | URL) => {
        const url = input instanceof Request ? input.url : String(input);
        if (url === 'https://as.test/.well-known/openid-configuration') return Promise.resolve(Response.json(metadata));
        sent.push({ url, authorization: input instanceof Request ? input.headers.get('authorization') : null });
        return Promise.resolve(new Response('ok'));
      });
      const login = oidcLogin(options);
      const binding = bindingFor({ login, apis: [{ origin: 'https://as.test', paths: ['/api'] }] }, null);
      const session = { ...binding.session, accessToken: () => Promise.resolve('the-token'), accessTokenAfterUnauthorized: () => Promise.resolve(null) };
      login.attach({ ...binding, session } as LoginBinding);
      const held = login.intercept({ request: new Request('https://as.test/api/items', { method: 'POST', body: 'x' }) } as FetchEvent);
      expect(held).not.toBeNull();
      expect(await (await held)?.text()).toBe('ok');
      expect(sent).toEqual([{ url: 'https://as.test/api/items', authorization: 'Bearer the-token' }]);
    });

    it('when discovery fails: refuses a POST to the issuer origin, lets one to another origin go on', async () => {
      const { fetched, intercept } = started('failing');
      expect((await intercept('https://as.test/token'))?.status).toBe(403);
      expect(await (await intercept('https://elsewhere.test/form'))?.text()).toBe('passed');
      expect(fetched).not.toContain('https://as.test/token');
    });
  });

  it('ends the session when a DPoP-bound refresh comes back unbound (a Bearer token): refused, not retried', async () => {
    const keyPair = await generateDpopKeyPair();
    const current: StoredSession = { tokens: { accessToken: 'a', refreshToken: 'r', dpopKey: keyPair }, epoch: 1 };
    const seen: string[] = [];
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      seen.push(`${url} ${new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).has('dpop') ? 'with proof' : 'without proof'}`);
      if (url === 'https://as.test/.well-known/openid-configuration') {
        return Promise.resolve(Response.json({ issuer: 'https://as.test', authorization_endpoint: 'https://as.test/authorize', token_endpoint: 'https://as.test/token' }));
      }
      return Promise.resolve(Response.json({ access_token: 'unbound', token_type: 'Bearer', expires_in: 60, refresh_token: 'r2' }));
    });
    const login = oidcLogin({ ...options, dpop: true });
    login.attach(bindingFor({ login }, current));
    const refused = login.refresh!('r', new AbortController().signal);
    await expect(refused).rejects.toBeInstanceOf(RefreshRejectedError);
    await expect(refused).rejects.toMatchObject({ code: 'refresh-rejected', oauthError: 'unbound_token' });
    expect(seen).toEqual(['https://as.test/.well-known/openid-configuration without proof', 'https://as.test/token with proof']);
  });
});

