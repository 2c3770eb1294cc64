import { describe, expect, it } from 'vitest';
import { compileRule } from '../src/worker/api-rule.js';
import { attachToken, isRefusedRedirect } from '../src/worker/attach-token.js';
import { createRuleMatcher } from '../src/worker/rule-matcher.js';
import { routeRequest } from '../src/worker/route-request.js';

const bearer = compileRule({ origin: 'http://api.test' }, 0);
const custom = compileRule({ origin: 'http://api.test', header: 'x-api-token', scheme: null }, 1);

describe('attachToken', () => {
  it('sets the header with or without a scheme and keeps the request as it was', async () => {
    const controller = new AbortController();
    const original = new Request('http://api.test/v1', {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json', 'x-trace': 't' },
      credentials: 'include',
      cache: 'no-store',
      keepalive: true,
      integrity: 'sha256-abc',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    });
    const sent = attachToken(original, bearer, 'tok');
    expect(sent.headers.get('authorization')).toBe('Bearer tok');
    expect(sent.headers.get('x-trace')).toBe('t');
    expect(sent.method).toBe('POST');
    expect(sent.credentials).toBe('include');
    expect(sent.cache).toBe('no-store');
    expect(sent.keepalive).toBe(true);
    expect(sent.integrity).toBe('sha256-abc');
    expect(sent.referrerPolicy).toBe('no-referrer');
    expect(sent.redirect).toBe('follow');
    expect(await sent.json()).toEqual({ a: 1 });
    controller.abort();
    expect(sent.signal.aborted).toBe(true);
    expect(attachToken(new Request('http://api.test/v1'), custom, 'raw').headers.get('x-api-token')).toBe('raw');
  });

  it('holds back redirects for headers browsers keep across origins', () => {
    const sent = attachToken(new Request('http://api.test/v1'), custom, 'raw');
    expect(sent.redirect).toBe('manual');
    expect(attachToken(new Request('http://api.test/v1', { redirect: 'error' }), custom, 'raw').redirect).toBe('error');
    const opaque = { type: 'opaqueredirect' } as Response;
    expect(isRefusedRedirect(new Request('http://api.test/v1'), opaque)).toBe(true);
    expect(isRefusedRedirect(new Request('http://api.test/v1', { redirect: 'manual' }), opaque)).toBe(false);
  });

  it('sends an upgraded no-cors request as CORS, keeping its credentials mode', () => {
    const upgrade = compileRule({ origin: 'http://api.test', upgradeNoCors: true }, 2);
    const image = new Request('http://api.test/v1/pic.png', { mode: 'no-cors', credentials: 'include' });
    const sent = attachToken(image, upgrade, 'tok');
    expect(sent.mode).toBe('cors');
    expect(sent.credentials).toBe('include');
    expect(sent.headers.get('authorization')).toBe('Bearer tok');
    expect(attachToken(new Request('http://api.test/v1', { mode: 'no-cors', credentials: 'omit' }), upgrade, 'tok').credentials).toBe('omit');
  });
});

describe('routeRequest', () => {
  const matcher = createRuleMatcher([bearer]);
  const fake = (url: string, mode: RequestMode, headers: Record<string, string> = {}) =>
    ({ url, mode, headers: new Headers(headers) }) as Request;

  it('routes matching cors requests only', () => {
    expect(routeRequest(fake('http://api.test/v1', 'cors'), matcher)).toBe(bearer);
    expect(routeRequest(fake('http://api.test/v1', 'navigate'), matcher)).toBe('navigation');
    expect(routeRequest(fake('http://api.test/v1', 'no-cors'), matcher)).toBe('no-cors');
    expect(routeRequest(fake('http://other.test/v1', 'cors'), matcher)).toBe('no rule');
    expect(routeRequest(fake('http://api.test/v1', 'cors', { Authorization: 'Basic x' }), matcher)).toBe('header already set');
  });

  it('routes no-cors requests only for a rule with upgradeNoCors, and never navigations', () => {
    const images = compileRule({ origin: 'http://img.test', upgradeNoCors: true }, 1);
    const both = createRuleMatcher([bearer, images]);
    expect(routeRequest(fake('http://img.test/a.png', 'no-cors'), both)).toBe(images);
    expect(routeRequest(fake('http://img.test/a.png', 'navigate'), both)).toBe('navigation');
    expect(routeRequest(fake('http://api.test/a.png', 'no-cors'), both)).toBe('no-cors');
    expect(routeRequest(fake('http://evil.test/a.png', 'no-cors'), both)).toBe('no rule');
  });
});
