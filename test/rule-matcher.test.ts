import { describe, expect, it } from 'vitest';
import { compileRule } from '../src/worker/api-rule.js';
import { perApiTokens } from '../src/worker/per-api-tokens.js';
import { createRuleMatcher, pathMatches } from '../src/worker/rule-matcher.js';

describe('pathMatches', () => {
  it('matches at / boundaries only', () => {
    expect(pathMatches('/v1', '/v1')).toBe(true);
    expect(pathMatches('/v1/', '/v1')).toBe(true);
    expect(pathMatches('/v1/x/y', '/v1')).toBe(true);
    expect(pathMatches('/v10', '/v1')).toBe(false);
    expect(pathMatches('/v1x', '/v1')).toBe(false);
    expect(pathMatches('/V1', '/v1')).toBe(false);
    expect(pathMatches('/', '/v1')).toBe(false);
    expect(pathMatches('/anything', '/')).toBe(true);
  });
});

describe('compileRule', () => {
  it('applies defaults', () => {
    expect(compileRule({ origin: 'https://api.example.com' }, 0)).toEqual({
      origin: 'https://api.example.com',
      paths: null,
      header: 'authorization',
      scheme: 'Bearer',
      droppedOnCrossOriginRedirect: true,
      upgradeNoCors: false,
      target: null,
    });
  });

  it('keeps a resource indicator, or an audience, as the token target', () => {
    expect(compileRule({ origin: 'https://a.example.com', resource: 'https://a.example.com/' }, 0, perApiTokens()).target).toEqual({ parameter: 'resource', value: 'https://a.example.com/' });
    expect(compileRule({ origin: 'https://a.example.com', audience: 'orders-api' }, 0, perApiTokens()).target).toEqual({ parameter: 'audience', value: 'orders-api' });
  });

  it.each([
    [{ resource: 'orders' }, /resource must be an absolute URI without a fragment/],
    [{ resource: 'https://a.example.com/#x' }, /resource must be an absolute URI without a fragment/],
    [{ resource: 'https://a.example.com/#' }, /resource must be an absolute URI without a fragment/],
    [{ resource: 42 }, /resource must be/],
    [{ audience: '' }, /audience must be a non-empty string/],
    [{ resource: 'https://a.example.com/', audience: 'a' }, /has both resource and audience/],
  ])('refuses a bad token target %#', (extra, message) => {
    expect(() => compileRule({ origin: 'https://a.example.com', ...extra }, 3, perApiTokens())).toThrow(message);
    expect(() => compileRule({ origin: 'https://a.example.com', ...extra }, 3, perApiTokens())).toThrow(/apis\[3\]/);
  });

  it.each([[{ resource: 'https://a.example.com/' }], [{ audience: 'orders' }]])('refuses a token target without perApiTokens %#', (extra) => {
    expect(() => compileRule({ origin: 'https://a.example.com', ...extra }, 2)).toThrow(
      new TypeError('Failed to install the token injector: apis[2] resource and audience need perApiTokens in the config'),
    );
    expect(() => compileRule({ origin: 'https://a.example.com', ...extra }, 2, {} as ReturnType<typeof perApiTokens>)).toThrow(/need perApiTokens/);
  });

  it('keeps upgradeNoCors when asked for', () => {
    expect(compileRule({ origin: 'https://img.example.com', upgradeNoCors: true }, 0).upgradeNoCors).toBe(true);
  });

  it('keeps a custom header and a null scheme', () => {
    const rule = compileRule({ origin: 'http://localhost:8080', header: 'X-Supabase-Auth', scheme: null, paths: ['/rest/v1/'] }, 1);
    expect(rule).toMatchObject({ header: 'x-supabase-auth', scheme: null, paths: ['/rest/v1'], droppedOnCrossOriginRedirect: false });
  });

  it.each([
    [{ origin: 'https://api.example.com/' }, /apis\[0\] origin 'https:\/\/api.example.com\/' is not an exact origin; write 'https:\/\/api.example.com'/],
    [{ origin: 'https://API.example.com' }, /not an exact origin/],
    [{ origin: 'https://api.example.com:443' }, /not an exact origin/],
    [{ origin: 'https://api.example.com/v1' }, /not an exact origin/],
    [{ origin: 'api.example.com' }, /not a valid URL|must use http or https/],
    [{ origin: 'ftp://api.example.com' }, /must use http or https/],
    [{ origin: 'https://user:pw@api.example.com' }, /user info/],
    [{ origin: 42 }, /origin must be a string/],
    [{ origin: 'https://a.test', paths: [] }, /paths must be a non-empty array/],
    [{ origin: 'https://a.test', paths: ['v1'] }, /starting with '\/'/],
    [{ origin: 'https://a.test', paths: ['/a/../b'] }, /not a normalized path prefix/],
    [{ origin: 'https://a.test', paths: ['/a?b'] }, /not a normalized path prefix/],
    [{ origin: 'https://a.test', paths: ['/a b'] }, /not a normalized path prefix/],
    [{ origin: 'https://a.test', header: 'Bad Header' }, /valid HTTP header name/],
    [{ origin: 'https://a.test', header: 'Cookie' }, /do not let scripts set/],
    [{ origin: 'https://a.test', header: 'Sec-Token' }, /do not let scripts set/],
    [{ origin: 'https://a.test', scheme: 'Two Words' }, /single word/],
    [{ origin: 'https://a.test', upgradeNoCors: 'yes' }, /upgradeNoCors must be a boolean/],
    [null, /must be an object/],
  ])('rejects %j', (rule, message) => {
    expect(() => compileRule(rule, 0)).toThrow(TypeError);
    expect(() => compileRule(rule, 0)).toThrow(message);
  });
});

describe('createRuleMatcher', () => {
  const matcher = createRuleMatcher([
    compileRule({ origin: 'http://api.test:8080', paths: ['/v1'] }, 0),
    compileRule({ origin: 'http://api.test:8080', paths: ['/custom'], header: 'x-api-token', scheme: null }, 1),
    compileRule({ origin: 'https://whole.test' }, 2),
  ]);

  it.each([
    ['http://api.test:8080/v1', 'authorization'],
    ['http://api.test:8080/v1/users?x=1#f', 'authorization'],
    ['http://API.TEST:8080/v1/users', 'authorization'],
    ['http://api.test:8080/x/../v1/users', 'authorization'],
    ['http://api.test:8080/custom/a', 'x-api-token'],
    ['https://whole.test/', 'authorization'],
    ['https://whole.test:443/anything', 'authorization'],
  ])('gives %s a token in %s', (url, header) => {
    expect(matcher.match(url)?.header).toBe(header);
  });

  it.each([
    'http://api.test:8081/v1',
    'https://api.test:8080/v1',
    'http://api.test/v1',
    'http://evil.test:8080/v1',
    'http://api.test.evil.test:8080/v1',
    'http://api.test:8080/v10',
    'http://api.test:8080/v1x',
    'http://api.test:8080/V1',
    'http://api.test:8080/',
    'http://api.test:8080/v1/../admin',
    'http://user:pw@api.test:8080/v1',
    'https://whole.test.evil.test/',
    'http://whole.test/',
    // a blob: URL reports the origin of the page that made it
    'blob:https://whole.test/0b2c1d6e-8f1a-4c3b-9a2d-1e5f7a9b3c4d',
    'not a url',
  ])('gives %s nothing', (url) => {
    expect(matcher.match(url)).toBeNull();
  });
});
