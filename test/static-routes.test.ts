import { describe, expect, it } from 'vitest';
import { compileRule } from '../src/worker/api-rule.js';
import { addStaticRoutes, staticRoutesFor, type RouterRule } from '../src/worker/static-routes.js';

describe('staticRoutesFor', () => {
  it('sends navigations, no-cors requests and everything outside the allowlist to the network', () => {
    const routes = staticRoutesFor([
      { origin: 'https://api.example.com', paths: ['/v1', '/v2/'] },
      { origin: 'http://localhost:8080', header: 'x-api-token', scheme: null },
    ]);
    expect(routes).toEqual([
      { condition: { requestMode: 'navigate' }, source: 'network' },
      { condition: { requestMode: 'no-cors' }, source: 'network' },
      {
        condition: {
          not: {
            or: [
              { urlPattern: { protocol: 'https', hostname: 'api.example.com', port: '', pathname: '/v1{/*}?' } },
              { urlPattern: { protocol: 'https', hostname: 'api.example.com', port: '', pathname: '/v2{/*}?' } },
              { urlPattern: { protocol: 'http', hostname: 'localhost', port: '8080', pathname: '*' } },
            ],
          },
        },
        source: 'network',
      },
    ]);
  });

  it('matches every path of an origin whose paths include /', () => {
    const [, , rest] = staticRoutesFor([{ origin: 'https://api.example.com', paths: ['/v1', '/'] }]);
    expect(rest?.condition.not?.or).toEqual([{ urlPattern: { protocol: 'https', hostname: 'api.example.com', port: '', pathname: '*' } }]);
  });

  it('escapes URLPattern syntax so a host and a prefix stand for themselves', () => {
    const [, , rest] = staticRoutesFor([{ origin: 'http://[::1]:9000', paths: ['/a:b/(c)', '/x+y*z'] }]);
    expect(rest?.condition.not?.or?.map((c) => c.urlPattern)).toEqual([
      { protocol: 'http', hostname: '[\\:\\:1]', port: '9000', pathname: '/a\\:b/\\(c\\){/*}?' },
      { protocol: 'http', hostname: '[\\:\\:1]', port: '9000', pathname: '/x\\+y\\*z{/*}?' },
    ]);
  });

  it('refuses an invalid allowlist as installTokenInjector does', () => {
    expect(() => staticRoutesFor([{ origin: 'https://api.example.com/' }])).toThrow(/apis\[0\] origin .* is not an exact origin/);
  });
});

describe('addStaticRoutes', () => {
  const apis = [{ origin: 'https://api.example.com' }];
  const rules = apis.map((api, index) => compileRule(api, index));

  it('does nothing where the browser has no static routing', async () => {
    const event = new Event('install');
    await expect(addStaticRoutes(event, rules, () => undefined)).resolves.toBeUndefined();
  });

  it('registers the routes on the install event, in order: the catch-all in a call of its own', async () => {
    const added: RouterRule[][] = [];
    const logged: string[] = [];
    const event = Object.assign(new Event('install'), {
      addRoutes(this: unknown, rules: RouterRule[]) {
        expect(this).toBe(event);
        added.push(rules);
        return Promise.resolve();
      },
    });
    await addStaticRoutes(event, rules, (m) => logged.push(m));
    const all = staticRoutesFor(apis);
    expect(added).toEqual([all.slice(0, -1), all.slice(-1)]);
    expect(added[1]?.[0]?.condition).toHaveProperty('not');
    expect(logged).toEqual(['static routes to the network: navigations, no-cors, all but https://api.example.com → authorization']);
  });

  it("Chromium 123-126 (no 'not' condition): the other routes stay, the catch-all is left to the worker", async () => {
    // What Blink's router type converter does while the 'not' condition is disabled: the whole
    // addRoutes call rejects with this TypeError and adds none of its rules.
    const added: RouterRule[][] = [];
    const logged: string[] = [];
    const event = Object.assign(new Event('install'), {
      addRoutes(rules: RouterRule[]) {
        if (JSON.stringify(rules).includes('"not"')) return Promise.reject(new TypeError("The 'not' condition is not enabled."));
        added.push(rules);
        return Promise.resolve();
      },
    });
    await expect(addStaticRoutes(event, rules, (m) => logged.push(m))).resolves.toBeUndefined();
    expect(added).toEqual([staticRoutesFor(apis).slice(0, -1)]);
    expect(added.flat().map((route) => route.condition.requestMode)).toEqual(['navigate', 'no-cors']);
    expect(logged).toEqual(['static routes to the network: navigations, no-cors; refused (needs Chromium 127+): all but https://api.example.com → authorization']);
  });

  it('settles and logs when the browser refuses them all, so the install still succeeds', async () => {
    const logged: string[] = [];
    const event = Object.assign(new Event('install'), {
      addRoutes: () => Promise.reject(new TypeError('invalid router rule')),
    });
    await expect(addStaticRoutes(event, rules, (m) => logged.push(m))).resolves.toBeUndefined();
    expect(logged).toEqual(['static routes: refused']);
  });

});
