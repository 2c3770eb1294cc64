import { afterEach, describe, expect, it, vi } from 'vitest';
import { oauth2Refresh, processRefreshTokenResponse } from '../src/worker/oauth2-refresh.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../src/worker/refresh-errors.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('processRefreshTokenResponse', () => {
  it('maps a token response', async () => {
    expect(await processRefreshTokenResponse(json(200, { access_token: 'a', refresh_token: 'r', expires_in: 60, token_type: 'Bearer' }))).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 60,
    });
    expect(await processRefreshTokenResponse(json(200, { access_token: 'a', expires_in: '30' }))).toEqual({ accessToken: 'a', expiresIn: 30 });
  });

  it.each([400, 401])('%i is definitive and carries the OAuth error code', async (status) => {
    const error = await processRefreshTokenResponse(json(status, { error: 'invalid_grant', error_description: 'grant revoked' })).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshRejectedError);
    expect(error).toMatchObject({ code: 'refresh-rejected', oauthError: 'invalid_grant', name: 'RefreshRejectedError' });
    expect(error.message).toMatch(/invalid_grant/);
  });

  it.each([
    [json(503, {}), /answered 503/],
    [json(429, {}), /answered 429/],
    [json(500, {}), /answered 500/],
    [json(200, { token_type: 'Bearer' }), /without an access_token/],
    [new Response('<html>', { status: 200 }), /without an access_token/],
  ])('%# is transient', async (response, message) => {
    const error = await processRefreshTokenResponse(response).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).toMatch(message);
  });
});

describe('oauth2Refresh', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the RFC 6749 §6 form with client_id and scope, without credentials', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { access_token: 'a2', refresh_token: 'r2', expires_in: 60 }));
    vi.stubGlobal('fetch', fetch);
    const refresh = oauth2Refresh({
      tokenEndpoint: 'https://auth.test/oauth/token',
      clientId: 'spa',
      scope: 'openid api',
      fetchOptions: { headers: { apikey: 'public' } },
    });
    const signal = new AbortController().signal;
    expect(await refresh('r1', signal)).toEqual({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://auth.test/oauth/token');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', signal });
    expect(Object.fromEntries(init?.body as URLSearchParams)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'spa', scope: 'openid api' });
    const headers = init?.headers as Headers;
    expect(headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(headers.get('apikey')).toBe('public');
  });

  it('asks for a token for the rule\'s resource (RFC 8707) or audience', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { access_token: 'a2', refresh_token: 'r2' }));
    vi.stubGlobal('fetch', fetch);
    const refresh = oauth2Refresh({ tokenEndpoint: 'https://auth.test/oauth/token', clientId: 'spa' });
    await refresh('r1', new AbortController().signal, { parameter: 'resource', value: 'https://a.example.com/' });
    await refresh('r2', new AbortController().signal, { parameter: 'audience', value: 'orders' });
    const forms = fetch.mock.calls.map(([, init]) => Object.fromEntries(init.body as URLSearchParams));
    expect(forms[0]).toEqual({ grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'spa', resource: 'https://a.example.com/' });
    expect(forms[1]).toEqual({ grant_type: 'refresh_token', refresh_token: 'r2', client_id: 'spa', audience: 'orders' });
  });

  it('a network failure is transient, and the message has no token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = await oauth2Refresh({ tokenEndpoint: 'https://auth.test/token', clientId: 'spa' })('secret-refresh', new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).not.toContain('secret-refresh');
  });

  it.each([
    [{ tokenEndpoint: '/token', clientId: 'spa' }, /not an absolute URL/],
    [{ tokenEndpoint: 'ftp://auth.test/token', clientId: 'spa' }, /http or https/],
    [{ tokenEndpoint: 'https://auth.test/token', clientId: '' }, /clientId/],
  ])('rejects bad options at start: %j', (options, message) => {
    expect(() => oauth2Refresh(options)).toThrow(TypeError);
    expect(() => oauth2Refresh(options)).toThrow(message);
  });
});
