import { afterEach, describe, expect, it, vi } from 'vitest';
import { processSupabaseRefreshResponse, supabaseRefresh } from '../src/worker/presets/supabase-refresh.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../src/worker/refresh-errors.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const LEGACY_ANON_KEY = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl';

describe('supabaseRefresh', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stub(response: () => Response) {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => response());
    vi.stubGlobal('fetch', fetch);
    return fetch;
  }

  it('sends the GoTrue refresh grant: JSON body, apikey, API version; a publishable key never as Bearer', async () => {
    const fetch = stub(() => json(200, { access_token: 'a2', token_type: 'bearer', expires_in: 3600, expires_at: 1, refresh_token: 'r2', user: { id: 'u' } }));
    const refresh = supabaseRefresh({ url: 'https://abc.supabase.co', apiKey: 'sb_publishable_abc' });
    const signal = new AbortController().signal;
    expect(await refresh('r1', signal)).toEqual({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 3600 });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://abc.supabase.co/auth/v1/token?grant_type=refresh_token');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', signal });
    expect(JSON.parse(init?.body as string)).toEqual({ refresh_token: 'r1' });
    const headers = new Headers(init?.headers);
    expect(headers.get('apikey')).toBe('sb_publishable_abc');
    expect(headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.has('authorization')).toBe(false);
  });

  it('sends a legacy JWT-shaped anon key as Bearer too, as supabase-js does; a self-hosted path is kept', async () => {
    const fetch = stub(() => json(200, { access_token: 'a2', refresh_token: 'r2', expires_in: 60 }));
    await supabaseRefresh({ url: 'https://db.example.com/supabase', apiKey: LEGACY_ANON_KEY })('r1', new AbortController().signal);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://db.example.com/supabase/auth/v1/token?grant_type=refresh_token');
    expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${LEGACY_ANON_KEY}`);
  });

  it('a network failure is transient, and the message has no token', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = await supabaseRefresh({ url: 'https://abc.supabase.co', apiKey: 'k' })('secret-refresh', new AbortController().signal).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).not.toContain('secret-refresh');
  });

  it.each([
    [{ url: 'abc.supabase.co', apiKey: 'k' }, /url 'abc.supabase.co' is not an absolute URL/],
    [{ url: 'ftp://abc.supabase.co', apiKey: 'k' }, /url must use http or https/],
    [{ url: 'https://abc.supabase.co?x=1', apiKey: 'k' }, /url must not carry/],
    [{ url: 'https://abc.supabase.co', apiKey: '' }, /apiKey must be a non-empty string/],
    [{ url: 'https://abc.supabase.co' }, /apiKey must be/],
  ])('refuses invalid options %#', (options, message) => {
    expect(() => supabaseRefresh(options as never)).toThrow(TypeError);
    expect(() => supabaseRefresh(options as never)).toThrow(message);
  });
});

describe('processSupabaseRefreshResponse', () => {
  it.each(['refresh_token_not_found', 'refresh_token_already_used', 'session_not_found', 'session_expired'])(
    '400 %s ends the session, whether the code is in `code` or `error_code`',
    async (code) => {
      for (const body of [{ code, message: 'Invalid Refresh Token' }, { code: 400, error_code: code, msg: 'Invalid Refresh Token' }]) {
        const error = await processSupabaseRefreshResponse(json(400, body)).catch((e) => e);
        expect(error).toBeInstanceOf(RefreshRejectedError);
        expect(error).toMatchObject({ code: 'refresh-rejected', oauthError: code });
      }
    },
  );

  it("an older server's invalid_grant ends the session", async () => {
    const error = await processSupabaseRefreshResponse(json(400, { error: 'invalid_grant', error_description: 'Invalid Refresh Token: Refresh Token Not Found' })).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshRejectedError);
    expect(error.oauthError).toBe('invalid_grant');
  });

  it.each([409, 429, 500, 501, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530])('%i is transient', async (status) => {
    const error = await processSupabaseRefreshResponse(json(status, { code: 'conflict', message: 'x' })).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).toContain(String(status));
  });

  it.each([
    [json(400, { code: 'validation_failed', message: 'bad body' }), /400 \(validation_failed\)/],
    [json(401, { message: 'Invalid API key' }), /answered 401/],
    [new Response('<html>bad gateway</html>', { status: 502 }), /answered 502/],
    [json(200, { token_type: 'bearer' }), /without an access_token/],
  ])('other failures are transient: %#', async (response, message) => {
    const error = await processSupabaseRefreshResponse(response).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).toMatch(message);
  });
});
