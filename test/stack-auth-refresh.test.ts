import { afterEach, describe, expect, it, vi } from 'vitest';
import { processStackAuthRefreshResponse, stackAuthRefresh } from '../src/worker/presets/stack-auth-refresh.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../src/worker/refresh-errors.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('stackAuthRefresh', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the REST refresh with its four headers and never the error-status override; no new refresh token', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { access_token: 'a2' }));
    vi.stubGlobal('fetch', fetch);
    const refresh = stackAuthRefresh({ projectId: 'proj-1', publishableClientKey: 'pck_1' });
    const signal = new AbortController().signal;
    expect(await refresh('r1', signal)).toEqual({ accessToken: 'a2' });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://api.stack-auth.com/api/v1/auth/sessions/current/refresh');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', signal });
    const headers = new Headers(init?.headers);
    expect(Object.fromEntries(headers)).toEqual({
      'x-stack-access-type': 'client',
      'x-stack-project-id': 'proj-1',
      'x-stack-publishable-client-key': 'pck_1',
      'x-stack-refresh-token': 'r1',
    });
    expect(headers.has('x-stack-override-error-status')).toBe(false);
  });

  it('uses a self-hosted baseUrl', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { access_token: 'a2' }));
    vi.stubGlobal('fetch', fetch);
    await stackAuthRefresh({ projectId: 'p', publishableClientKey: 'k', baseUrl: 'https://stack.example.com' })('r', new AbortController().signal);
    expect(fetch.mock.calls[0]?.[0]).toBe('https://stack.example.com/api/v1/auth/sessions/current/refresh');
  });

  it.each([
    [{ projectId: '', publishableClientKey: 'k' }, /projectId/],
    [{ projectId: 'p' }, /publishableClientKey/],
    [{ projectId: 'p', publishableClientKey: 'k', baseUrl: 'stack' }, /baseUrl/],
  ])('refuses invalid options %#', (options, message) => {
    expect(() => stackAuthRefresh(options as never)).toThrow(message);
  });
});

describe('processStackAuthRefreshResponse', () => {
  it('REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED ends the session (body code or known-error header)', async () => {
    const code = 'REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED';
    for (const response of [
      json(401, { code, error: 'Refresh token not found for this project, or the session has expired/been revoked.' }, { 'x-stack-known-error': code }),
      new Response('not json', { status: 401, headers: { 'x-stack-known-error': code } }),
    ]) {
      const error = await processStackAuthRefreshResponse(response).catch((e) => e);
      expect(error).toBeInstanceOf(RefreshRejectedError);
      expect(error.oauthError).toBe(code);
    }
  });

  it.each([
    [json(401, { code: 'INVALID_PUBLISHABLE_CLIENT_KEY', error: 'x' }, { 'x-stack-known-error': 'INVALID_PUBLISHABLE_CLIENT_KEY' }), /401 \(INVALID_PUBLISHABLE_CLIENT_KEY\)/],
    [json(400, { code: 'SCHEMA_ERROR' }), /400 \(SCHEMA_ERROR\)/],
    [json(429, {}), /answered 429/],
    [json(500, {}), /answered 500/],
    [json(503, {}), /answered 503/],
    [json(200, {}), /without an access_token/],
  ])('anything else is transient: %#', async (response, message) => {
    const error = await processStackAuthRefreshResponse(response).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).toMatch(message);
  });
});
