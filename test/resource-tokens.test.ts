import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { TokenSet } from '../src/shared/token-set.js';
import type { TokenTarget } from '../src/worker/api-rule.js';
import type { RefreshFn } from '../src/worker/injector-config.js';
import { RefreshUnavailableError } from '../src/worker/refresh-errors.js';
import { createTokenStore } from '../src/worker/token-store.js';
import { TokenSession } from '../src/worker/token-session.js';

// Per-resource access tokens (ApiRule.resource) from the session's one refresh token.

let dbCounter = 0;
const A: TokenTarget = { parameter: 'resource', value: 'https://a.example.com/' };
const B: TokenTarget = { parameter: 'resource', value: 'https://b.example.com/' };
const C: TokenTarget = { parameter: 'audience', value: 'orders' };

/** A rotating server: every call consumes its refresh token; a consumed one is refused (reuse). */
function rotatingServer(options: { delayMs?: number } = {}) {
  const calls: Array<{ refreshToken: string; target: TokenTarget | undefined; inFlight: number }> = [];
  let current = 'rt-0';
  let issued = 0;
  let inFlight = 0;
  let reused = 0;
  const fn: RefreshFn = async (refreshToken, _signal, target) => {
    inFlight += 1;
    calls.push({ refreshToken, target, inFlight });
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
    inFlight -= 1;
    if (refreshToken !== current) {
      reused += 1;
      throw new RefreshUnavailableError('Failed to refresh tokens: reused');
    }
    issued += 1;
    current = `rt-${issued}`;
    return { accessToken: `at-${target?.value ?? 'default'}-${issued}`, refreshToken: current, expiresIn: 3600 } satisfies TokenSet;
  };
  return { fn, calls, get reused() { return reused; }, get current() { return current; } };
}

function setup(refresh: RefreshFn, now: () => number = Date.now) {
  const store = createTokenStore(`resources-${++dbCounter}`);
  const session = new TokenSession({ store, refresh, leewayMs: 30_000, onChange: () => undefined, now });
  return { store, session };
}

describe('per-resource access tokens', () => {
  it('gets a resource token lazily, once, and leaves the default token alone', async () => {
    const server = rotatingServer();
    const { session } = setup(server.fn);
    await session.handoff({ accessToken: 'at-login', refreshToken: 'rt-0', expiresIn: 3600 });
    expect(await session.accessToken()).toBe('at-login');
    expect(server.calls).toHaveLength(0);
    expect(await session.accessToken(A)).toBe('at-https://a.example.com/-1');
    expect(await session.accessToken(A)).toBe('at-https://a.example.com/-1');
    expect(await session.accessToken()).toBe('at-login');
    expect(server.calls.map((c) => c.target)).toEqual([A]);
  });

  it('with rotation, parallel requests for three resources: one refresh each, one at a time, each with the refresh token the previous returned', async () => {
    const server = rotatingServer({ delayMs: 20 });
    const { session, store } = setup(server.fn);
    await session.handoff({ accessToken: 'at-login', refreshToken: 'rt-0', expiresIn: 3600 });
    const targets = [A, B, C];
    const tokens = await Promise.all(Array.from({ length: 30 }, (_, i) => session.accessToken(targets[i % 3])));
    expect(server.calls).toHaveLength(3);
    expect(server.calls.map((c) => c.refreshToken)).toEqual(['rt-0', 'rt-1', 'rt-2']);
    expect(server.calls.every((c) => c.inFlight === 1)).toBe(true);
    expect(server.reused).toBe(0);
    // Every request got the token of its own resource.
    tokens.forEach((token, i) => expect(token).toContain(`at-${targets[i % 3]?.value}-`));
    const stored = (await store.read()).tokens;
    expect(stored?.refreshToken).toBe('rt-3');
    expect(stored?.accessToken).toBe('at-login');
    expect(Object.keys(stored?.resources ?? {}).sort()).toEqual(['https://a.example.com/', 'https://b.example.com/', 'orders']);
  });

  it('a refresh of the default token keeps the resource tokens', async () => {
    let now = 1_000_000;
    const server = rotatingServer();
    const { session, store } = setup(server.fn, () => now);
    await session.handoff({ accessToken: 'at-login', refreshToken: 'rt-0', expiresIn: 60 });
    await session.accessToken(A);
    now += 45_000; // the default token is within the leeway; A's (1 h) is not
    expect(await session.accessToken()).toBe('at-default-2');
    expect(await session.accessToken(A)).toBe('at-https://a.example.com/-1');
    expect((await store.read()).tokens?.resources?.['https://a.example.com/']?.accessToken).toBe('at-https://a.example.com/-1');
  });

  it('never hands out a token of another resource: none when its own could not be obtained', async () => {
    const fn: RefreshFn = async () => {
      throw new RefreshUnavailableError('Failed to refresh tokens: down');
    };
    const { session } = setup(fn);
    await session.handoff({ accessToken: 'at-login', refreshToken: 'rt-0', expiresIn: 3600 });
    expect(await session.accessToken(A)).toBeNull();
    expect(await session.accessToken()).toBe('at-login');
  });

  it('after a 401 for a resource token: one refresh for that resource, the retry gets the new one', async () => {
    const server = rotatingServer();
    const { session } = setup(server.fn);
    await session.handoff({ accessToken: 'at-login', refreshToken: 'rt-0', expiresIn: 3600 });
    const first = await session.accessToken(B);
    const [x, y] = await Promise.all([session.accessTokenAfterUnauthorized(first ?? '', B), session.accessTokenAfterUnauthorized(first ?? '', B)]);
    expect(x).toBe('at-https://b.example.com/-2');
    expect(y).toBe(x);
    expect(server.calls.map((c) => [c.refreshToken, c.target?.value])).toEqual([
      ['rt-0', 'https://b.example.com/'],
      ['rt-1', 'https://b.example.com/'],
    ]);
  });
});
