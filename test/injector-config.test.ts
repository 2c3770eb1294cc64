import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/worker/injector-config.js';
import { perApiTokens } from '../src/worker/per-api-tokens.js';

const apis = [{ origin: 'https://api.example.com' }];

describe('compileConfig', () => {
  it('applies the defaults', () => {
    const config = compileConfig({ apis });
    expect(config).toMatchObject({
      refresh: null,
      refreshLeewayMs: 30_000,
      refreshTimeoutMs: 10_000,
      refreshCallTimeoutMs: 30_000,
      databaseName: 'bearer-sw',
      exposeAccessToken: false,
      debug: false,
      staticRoutes: true,
    });
    expect(config.matcher.match('https://api.example.com/x')).not.toBeNull();
  });

  it('keeps the options given', () => {
    const refresh = async () => ({ accessToken: 'a' });
    expect(
      compileConfig({
        apis,
        refresh,
        refreshLeewaySeconds: 0,
        refreshTimeoutMs: 500,
        refreshCallTimeoutMs: 5000,
        databaseName: 'db',
        exposeAccessToken: true,
        staticRoutes: false,
      }),
    ).toMatchObject({ refresh, refreshLeewayMs: 0, refreshTimeoutMs: 500, refreshCallTimeoutMs: 5000, databaseName: 'db', exposeAccessToken: true, staticRoutes: false });
  });

  it.each([
    [null, /config must be an object/],
    [{}, /apis must be a non-empty array/],
    [{ apis: [] }, /apis must be a non-empty array/],
    [{ apis, refresh: 'yes' }, /refresh must be a function/],
    [{ apis: [{ origin: 'https://a.example.com', resource: 'https://a.example.com/' }], perApiTokens: perApiTokens() }, /resource and audience need refresh/],
    [{ apis: [{ origin: 'https://a.example.com', resource: 'https://a.example.com/' }], refresh: async () => ({}) }, /apis\[0\] resource and audience need perApiTokens/],
    [{ apis, refreshLeewaySeconds: -1 }, /refreshLeewaySeconds/],
    [{ apis, refreshTimeoutMs: 0 }, /refreshTimeoutMs/],
    [{ apis, refreshTimeoutMs: Number.POSITIVE_INFINITY }, /refreshTimeoutMs/],
    [{ apis, refreshCallTimeoutMs: -1 }, /refreshCallTimeoutMs must be a positive/],
    [{ apis, refreshCallTimeoutMs: '30s' }, /refreshCallTimeoutMs must be a positive/],
    [{ apis, databaseName: '' }, /databaseName/],
    [{ apis, staticRoutes: 'no' }, /staticRoutes must be a boolean/],
    [{ apis: [{ origin: 'https://api.example.com/v1' }] }, /apis\[0\] origin/],
  ])('rejects %j', (config, message) => {
    expect(() => compileConfig(config)).toThrow(TypeError);
    expect(() => compileConfig(config)).toThrow(message);
  });
});
