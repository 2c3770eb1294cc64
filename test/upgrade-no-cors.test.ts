import { describe, expect, it } from 'vitest';
import { compileRule } from '../src/worker/api-rule.js';
import { createRuleMatcher } from '../src/worker/rule-matcher.js';
import { routeRequest } from '../src/worker/route-request.js';
import { staticRoutesFor } from '../src/worker/static-routes.js';

// `upgradeNoCors` has to get past two gates: the browser's static routes (which otherwise send every
// no-cors request straight to the network) and `routeRequest`. Both must agree on which requests.
describe('upgradeNoCors', () => {
  const apis = [
    { origin: 'https://img.example.com', paths: ['/avatars'], upgradeNoCors: true },
    { origin: 'https://api.example.com', paths: ['/v1'] },
  ];

  it('routes the no-cors requests of an upgradeNoCors rule to the fetch listener, before the no-cors route', () => {
    const routes = staticRoutesFor(apis);
    expect(routes.slice(0, 3)).toEqual([
      { condition: { requestMode: 'navigate' }, source: 'network' },
      {
        condition: {
          or: [{ urlPattern: { protocol: 'https', hostname: 'img.example.com', port: '', pathname: '/avatars{/*}?' }, requestMode: 'no-cors' }],
        },
        source: 'fetch-event',
      },
      { condition: { requestMode: 'no-cors' }, source: 'network' },
    ]);
  });

  it('adds no route when no rule asks for it', () => {
    expect(staticRoutesFor([apis[1]!]).some((route) => route.source === 'fetch-event')).toBe(false);
  });

  it('hands the worker exactly the no-cors requests the static route lets through', () => {
    const matcher = createRuleMatcher(apis.map((api, i) => compileRule(api, i)));
    const noCors = (url: string) => {
      const decision = routeRequest({ url, mode: 'no-cors', headers: new Headers() } as Request, matcher);
      return typeof decision === 'string' ? null : decision;
    };
    expect(noCors('https://img.example.com/avatars/1.png')?.origin).toBe('https://img.example.com');
    expect(noCors('https://img.example.com/avatars')?.origin).toBe('https://img.example.com');
    expect(noCors('https://img.example.com/avatarsx/1.png')).toBeNull();
    expect(noCors('https://api.example.com/v1/1.png')).toBeNull();
    expect(noCors('http://img.example.com/avatars/1.png')).toBeNull();
  });
});
