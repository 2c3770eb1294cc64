// The pure parts of bearer-sw/worker/workbox: the routes of a shared worker, the SKIP_WAITING gate
// and the option check. The composed worker itself runs in e2e/vite-pwa.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../src/worker/injector-config.js';
import type { RouterRule } from '../src/worker/static-routes.js';
import { isSkipWaitingRequest, sameOriginRoute, workboxComposition } from '../src/worker/workbox-composition.js';

const APP = 'https://app.example.com:8443';

describe('sameOriginRoute', () => {
  it("sends every request for the worker's origin to its fetch listeners", () => {
    expect(sameOriginRoute(APP)).toEqual({
      condition: { urlPattern: { protocol: 'https', hostname: 'app.example.com', port: '8443', pathname: '*' } },
      source: 'fetch-event',
    });
  });

  it('escapes the origin so it stands for itself', () => {
    expect(sameOriginRoute('http://[::1]:9000').condition.urlPattern).toEqual({ protocol: 'http', hostname: '[\\:\\:1]', port: '9000', pathname: '*' });
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
  // The worker scope, as far as the composition touches it.
  function fakeScope() {
    const calls: string[] = [];
    const listeners = new Map<string, (event: unknown) => void>();
    const scope = {
      location: { origin: APP },
      skipWaiting: async () => void calls.push('skipWaiting'),
      addEventListener: (type: string, listener: (event: unknown) => void) => (calls.push(`listen:${type}`), listeners.set(type, listener)),
    };
    const saved = (globalThis as { self?: unknown }).self;
    (globalThis as { self?: unknown }).self = scope;
    return { calls, listeners, restore: () => ((globalThis as { self?: unknown }).self = saved) };
  }
  function installEvent(calls: string[], withRoutes = true) {
    const kept: Promise<unknown>[] = [];
    const event = {
      waitUntil: (promise: Promise<unknown>) => kept.push(promise),
      ...(withRoutes && { addRoutes: async (rules: RouterRule[]) => void calls.push(`routes:${JSON.stringify(rules)}`) }),
    };
    return { event, settled: () => Promise.all(kept) };
  }

  it("'immediate' leaves skipping waiting to the injector and adds the same-origin route at install", async () => {
    const { calls, listeners, restore } = fakeScope();
    try {
      expect(workboxComposition()).toEqual({ skipWaiting: true });
      expect(calls).toEqual(['listen:install']);
      const { event, settled } = installEvent(calls);
      listeners.get('install')?.(event);
      await settled();
      expect(calls).toEqual(['listen:install', `routes:${JSON.stringify([sameOriginRoute(APP)])}`]);
    } finally {
      restore();
    }
  });

  it('adds no route where the browser has no static routing', async () => {
    const { calls, listeners, restore } = fakeScope();
    try {
      workboxComposition();
      const { event, settled } = installEvent(calls, false);
      listeners.get('install')?.(event);
      await settled();
      expect(calls).toEqual(['listen:install']);
    } finally {
      restore();
    }
  });

  it("'prompt' turns the injector's skipWaiting off; a same-origin window's SKIP_WAITING skips waiting", async () => {
    const { calls, listeners, restore } = fakeScope();
    const saved = (globalThis as { Client?: unknown }).Client;
    (globalThis as { Client?: unknown }).Client = FakeClient;
    try {
      expect(workboxComposition({ activation: 'prompt' })).toEqual({ skipWaiting: false });
      expect(calls).toEqual(['listen:install', 'listen:message']);
      const kept: Promise<unknown>[] = [];
      const message = (source: unknown) => ({ source, data: { type: 'SKIP_WAITING' }, waitUntil: (p: Promise<unknown>) => kept.push(p) });
      listeners.get('message')?.(message(new FakeClient('window', 'https://evil.example/')));
      expect(calls).not.toContain('skipWaiting');
      listeners.get('message')?.(message(new FakeClient('window', `${APP}/`)));
      await Promise.all(kept);
      expect(calls.at(-1)).toBe('skipWaiting');
    } finally {
      (globalThis as { Client?: unknown }).Client = saved;
      restore();
    }
  });

  it('refuses an unknown activation, naming it', () => {
    expect(() => workboxComposition({ activation: 'auto' as 'prompt' })).toThrow(
      new TypeError("Failed to compose with Workbox: activation must be 'immediate' or 'prompt'"),
    );
  });

  it("is the part of installTokenInjector's config it sets", () => {
    const { restore } = fakeScope();
    try {
      const apis = [{ origin: 'https://api.example.com' }];
      expect(compileConfig({ apis, ...workboxComposition({ activation: 'prompt' }) }).skipWaiting).toBe(false);
      expect(compileConfig({ apis, ...workboxComposition() }).skipWaiting).toBe(true);
      expect(compileConfig({ apis }).skipWaiting).toBe(true);
      expect(() => compileConfig({ apis, skipWaiting: 'no' })).toThrow(/skipWaiting must be a boolean/);
    } finally {
      restore();
    }
  });
});
