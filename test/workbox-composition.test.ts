// The pure parts of bearer-sw/worker/workbox: the routes of a shared worker, the SKIP_WAITING gate
// and the option check. The composed worker itself runs in e2e/vite-pwa.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRule } from '../src/worker/api-rule.js';
import { compileConfig } from '../src/worker/injector-config.js';
import { staticRoutesFor } from '../src/worker/static-routes.js';
import { isSkipWaitingRequest, sharedRoutesFor, workboxComposition } from '../src/worker/workbox-composition.js';

const APP = 'https://app.example.com:8443';

describe('sharedRoutesFor', () => {
  const apis = [{ origin: 'https://api.example.com', paths: ['/v1'], upgradeNoCors: true }];
  const rules = apis.map((api, index) => compileRule(api, index));

  it("sends every request for the worker's origin to its fetch listeners before any other route", () => {
    const routes = sharedRoutesFor(rules, APP);
    expect(routes[0]).toEqual({
      condition: { urlPattern: { protocol: 'https', hostname: 'app.example.com', port: '8443', pathname: '*' } },
      source: 'fetch-event',
    });
    // The default routes follow: they only ever see other origins' requests.
    expect(routes.slice(1)).toEqual(staticRoutesFor(apis));
  });

  it('escapes the origin so it stands for itself', () => {
    const [first] = sharedRoutesFor(rules, 'http://[::1]:9000');
    expect(first?.condition.urlPattern).toEqual({ protocol: 'http', hostname: '[\\:\\:1]', port: '9000', pathname: '*' });
  });
});

// Node has no Client: a stand-in with the fields the gate reads.
class FakeClient {
  readonly type: 'window' | 'worker';
  readonly url: string;
  constructor(type: FakeClient['type'], url: string) {
    this.type = type;
    this.url = url;
  }
}

describe('isSkipWaitingRequest', () => {
  const saved = (globalThis as { Client?: unknown }).Client;
  beforeAll(() => {
    (globalThis as { Client?: unknown }).Client = FakeClient;
  });
  afterAll(() => {
    (globalThis as { Client?: unknown }).Client = saved;
  });
  const message = (source: unknown, data: unknown) => ({ source, data }) as unknown as ExtendableMessageEvent;

  it("takes Workbox's SKIP_WAITING from a window of the worker's origin", () => {
    expect(isSkipWaitingRequest(message(new FakeClient('window', `${APP}/x?y`), { type: 'SKIP_WAITING' }), APP)).toBe(true);
  });

  it.each([
    ['a window of another origin', new FakeClient('window', 'https://evil.example/'), { type: 'SKIP_WAITING' }],
    ['a window on another port', new FakeClient('window', 'https://app.example.com/'), { type: 'SKIP_WAITING' }],
    ['a dedicated worker of the origin', new FakeClient('worker', `${APP}/w.js`), { type: 'SKIP_WAITING' }],
    ['a plain object posing as a window', { type: 'window', url: `${APP}/` }, { type: 'SKIP_WAITING' }],
    ['another message', new FakeClient('window', `${APP}/`), { type: 'skip_waiting' }],
    ['a bare string', new FakeClient('window', `${APP}/`), 'SKIP_WAITING'],
    ['no data', new FakeClient('window', `${APP}/`), null],
  ])('ignores %s', (_label, source, data) => {
    expect(isSkipWaitingRequest(message(source, data), APP)).toBe(false);
  });
});

describe('workboxComposition', () => {
  it('refuses an unknown activation, naming it', () => {
    expect(() => workboxComposition({ activation: 'auto' as 'prompt' })).toThrow(
      new TypeError("Failed to compose with Workbox: activation must be 'immediate' or 'prompt'"),
    );
  });

  it('is what installTokenInjector takes as composition, and nothing else is', () => {
    const composition = workboxComposition({ activation: 'prompt' });
    expect(compileConfig({ apis: [{ origin: 'https://api.example.com' }], composition }).composition).toBe(composition);
    expect(compileConfig({ apis: [{ origin: 'https://api.example.com' }] }).composition).toBeNull();
    expect(() => compileConfig({ apis: [{ origin: 'https://api.example.com' }], composition: { activation: 'prompt' } })).toThrow(
      /composition must come from workboxComposition\(\)/,
    );
  });
});
