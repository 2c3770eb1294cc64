import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/worker/injector-config.js';

const apis = [{ origin: 'https://api.example.com' }];

describe('compileConfig', () => {
  it('applies the defaults', () => {
    const config = compileConfig({ apis });
    expect(config).toMatchObject({
      refresh: null,
      refreshLeewayMs: 30_000,
      refreshTimeoutMs: 10_000,
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
      compileConfig({ apis, refresh, refreshLeewaySeconds: 0, refreshTimeoutMs: 500, databaseName: 'db', exposeAccessToken: true, staticRoutes: false }),
    ).toMatchObject({ refresh, refreshLeewayMs: 0, refreshTimeoutMs: 500, databaseName: 'db', exposeAccessToken: true, staticRoutes: false });
  });

  it.each([
    [null, /config must be an object/],
    [{}, /apis must be a non-empty array/],
    [{ apis: [] }, /apis must be a non-empty array/],
    [{ apis, refresh: 'yes' }, /refresh must be a function/],
    [{ apis: [{ origin: 'https://a.example.com', resource: 'https://a.example.com/' }] }, /resource and audience need refresh/],
    [{ apis, refreshLeewaySeconds: -1 }, /refreshLeewaySeconds/],
    [{ apis, refreshTimeoutMs: 0 }, /refreshTimeoutMs/],
    [{ apis, refreshTimeoutMs: Number.POSITIVE_INFINITY }, /refreshTimeoutMs/],
    [{ apis, databaseName: '' }, /databaseName/],
    [{ apis, staticRoutes: 'no' }, /staticRoutes must be a boolean/],
    [{ apis: [{ origin: 'https://api.example.com/v1' }] }, /apis\[0\] origin/],
  ])('rejects %j', (config, message) => {
    expect(() => compileConfig(config)).toThrow(TypeError);
    expect(() => compileConfig(config)).toThrow(message);
  });
});
