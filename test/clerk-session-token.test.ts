import { afterEach, describe, expect, it, vi } from 'vitest';
import { clerkSessionToken, processClerkTokenResponse } from '../src/worker/presets/clerk-session-token.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../src/worker/refresh-errors.js';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('clerkSessionToken', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('mints from the Frontend API with the cookie: a form POST for the session id, credentials included', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { object: 'token', jwt: 'eyJ.jwt.sig' }));
    vi.stubGlobal('fetch', fetch);
    const signal = new AbortController().signal;
    expect(await clerkSessionToken({ frontendApi: 'https://clerk.example.com' })('sess_123', signal)).toEqual({ accessToken: 'eyJ.jwt.sig' });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('https://clerk.example.com/v1/client/sessions/sess_123/tokens');
    expect(init).toMatchObject({ method: 'POST', credentials: 'include', signal });
    expect(init?.body).toBeInstanceOf(URLSearchParams);
    // No custom header: a CORS-simple request, so no preflight per mint.
    expect(init?.headers).toBeUndefined();
  });

  it('mints a JWT template when named; the session id is escaped into the path', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => json(200, { object: 'token', jwt: 't' }));
    vi.stubGlobal('fetch', fetch);
    await clerkSessionToken({ frontendApi: 'https://clerk.example.com/', template: 'api#v2' })('sess/../x', new AbortController().signal);
    expect(fetch.mock.calls[0]?.[0]).toBe('https://clerk.example.com/v1/client/sessions/sess%2F..%2Fx/tokens/api%23v2');
  });

  it.each([
    [{ frontendApi: 'clerk.example.com' }, /frontendApi/],
    [{ frontendApi: 'https://clerk.example.com', template: '' }, /template/],
  ])('refuses invalid options %#', (options, message) => {
    expect(() => clerkSessionToken(options as never)).toThrow(message);
  });
});

describe('processClerkTokenResponse', () => {
  it('401 signs the session out', async () => {
    const error = await processClerkTokenResponse(json(401, { errors: [{ code: 'signed_out', message: 'Signed out' }] })).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshRejectedError);
    expect(error.code).toBe('refresh-rejected');
  });

  it.each([
    [json(429, {}), /answered 429/],
    [json(500, {}), /answered 500/],
    [json(503, {}), /answered 503/],
    [json(404, {}), /answered 404/],
    [json(200, { object: 'token' }), /without a jwt/],
  ])('anything else is transient: %#', async (response, message) => {
    const error = await processClerkTokenResponse(response).catch((e) => e);
    expect(error).toBeInstanceOf(RefreshUnavailableError);
    expect(error.message).toMatch(message);
  });
});
