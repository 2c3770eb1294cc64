// The refresh-token rule (README, Refresh, "Rotation-safe"): the worker only ever sends the newest
// refresh token it has; the same one goes again only to a server that does not rotate, or after an
// attempt that brought no new one (after a backoff, 1 s doubling up to 30 s). Also: the leeway is
// at most half the token's lifetime, and what `getAccessToken()` answers when no fresh token came.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BearerSwError } from '../src/shared/errors.js';
import type { TokenSet } from '../src/shared/token-set.js';
import type { RefreshFn } from '../src/worker/injector-config.js';
import { RefreshUnavailableError } from '../src/worker/refresh-errors.js';
import { createTokenStore, type TokenStore } from '../src/worker/token-store.js';
import { TokenSession } from '../src/worker/token-session.js';

let dbCounter = 0;
const T0 = 1_000_000;

/** A refresh function that answers from a script, recording the refresh token of each call. */
function scriptedRefresh(answers: Array<TokenSet | Error>) {
  const sent: string[] = [];
  const fn: RefreshFn = async (refreshToken) => {
    sent.push(refreshToken);
    const answer = answers.shift();
    if (answer === undefined) throw new Error('test: no answer scripted');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fn, sent };
}

function setup(refresh: RefreshFn, options: { store?: TokenStore; waitMs?: number; leewayMs?: number } = {}) {
  const store = options.store ?? createTokenStore(`rule-${++dbCounter}`);
  const logged: string[] = [];
  const session = new TokenSession({
    store,
    refresh,
    leewayMs: options.leewayMs ?? 30_000,
    waitMs: options.waitMs ?? 10_000,
    onChange: () => undefined,
    log: (message) => logged.push(message),
  });
  return { store, session, logged };
}

/** A token store whose writes fail while `failing` is set, as IndexedDB does when the disk is full. */
function flakyStore() {
  const inner = createTokenStore(`rule-${++dbCounter}`);
  const control = { failing: false };
  const store: TokenStore = {
    read: () => inner.read(),
    write: (session) => (control.failing ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : inner.write(session)),
    update: (change) => (control.failing ? Promise.reject(new DOMException('quota', 'QuotaExceededError')) : inner.update(change)),
    close: () => inner.close(),
  };
  return { store, control };
}

const expired = () => vi.setSystemTime(Date.now() + 400_000);

describe('the refresh-token rule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('a rotating server: each refresh token is sent once', async () => {
    const refresh = scriptedRefresh([
      { accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 },
      { accessToken: 'a3', refreshToken: 'r3', expiresIn: 300 },
    ]);
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    expect(await session.accessToken()).toBe('a2');
    expired();
    expect(await session.accessToken()).toBe('a3');
    expect(refresh.sent).toEqual(['r1', 'r2']);
  });

  it('a server that does not rotate: the same refresh token is kept and sent again, on purpose', async () => {
    const refresh = scriptedRefresh([
      { accessToken: 'a2', expiresIn: 300 },
      { accessToken: 'a3', expiresIn: 300 },
    ]);
    const { session, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    expect(await session.accessToken()).toBe('a2');
    expect((await store.read()).tokens?.refreshToken).toBe('r1');
    expired();
    expect(await session.accessToken()).toBe('a3');
    expect(refresh.sent).toEqual(['r1', 'r1']);
  });

  it('a success with a new refresh token but no access token: the new one is kept, the old one never sent again', async () => {
    const refresh = scriptedRefresh([{ refreshToken: 'r2' }, { accessToken: 'a3', refreshToken: 'r3', expiresIn: 300 }]);
    const { session, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    expect(await session.accessToken()).toBe('a1'); // nothing better yet: goes out with what it has
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'a1', refreshToken: 'r2' });
    // counted as a failure: the next attempt waits for the backoff (1 s), then sends the new token
    expect(await session.accessToken()).toBe('a1');
    expect(refresh.sent).toEqual(['r1']);
    vi.setSystemTime(Date.now() + 1100);
    expect(await session.accessToken()).toBe('a3');
    expect(refresh.sent).toEqual(['r1', 'r2']);
  });

  it('an answer with no usable token at all is treated as a lost one: the same refresh token again, after the backoff', async () => {
    const refresh = scriptedRefresh([{ accessToken: 'not a header value' }, new RefreshUnavailableError('Failed to refresh tokens: 200 without an access_token'), { accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 }]);
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    expect(await session.accessToken()).toBe('a1');
    vi.setSystemTime(Date.now() + 1100);
    expect(await session.accessToken()).toBe('a1');
    vi.setSystemTime(Date.now() + 2100);
    expect(await session.accessToken()).toBe('a2');
    expect(refresh.sent).toEqual(['r1', 'r1', 'r1']);
  });

  it('IndexedDB refuses to store a rotated token: it is used from memory, the old one is never sent again, the next write stores it', async () => {
    const { store, control } = flakyStore();
    const refresh = scriptedRefresh([
      { accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 },
      { accessToken: 'a3', refreshToken: 'r3', expiresIn: 300 },
    ]);
    const { session, logged } = setup(refresh.fn, { store });
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    control.failing = true;
    expect(await session.accessToken()).toBe('a2');
    expect(logged).toContain('refreshed tokens not stored: used from memory until the next write');
    expect((await store.read()).tokens?.refreshToken).toBe('r1'); // not stored…
    expect(await session.accessToken()).toBe('a2'); // …but used, without another refresh
    control.failing = false;
    expired();
    expect(await session.accessToken()).toBe('a3');
    expect(refresh.sent).toEqual(['r1', 'r2']);
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'a3', refreshToken: 'r3' });
  });

  it('a logout after an unstored refresh still ends the session', async () => {
    const { store, control } = flakyStore();
    const refresh = scriptedRefresh([{ accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 }]);
    const { session } = setup(refresh.fn, { store });
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    control.failing = true;
    expect(await session.accessToken()).toBe('a2');
    control.failing = false;
    expect(await session.logout()).toMatchObject({ state: 'unauthenticated' });
    expect(await session.accessToken()).toBeNull();
    expect((await store.read()).tokens).toBeNull();
  });

  it('backs off 1 s, 2 s, 4 s … and never more than 30 s between attempts', async () => {
    const refresh = scriptedRefresh(Array.from({ length: 8 }, () => new Error('down')));
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    const gaps: number[] = [];
    let last = Date.now();
    await session.accessToken();
    // Step the clock 100 ms at a time for 3 minutes and note when each new attempt happened.
    for (let i = 0; i < 1800; i++) {
      vi.setSystemTime(Date.now() + 100);
      const before = refresh.sent.length;
      await session.accessToken();
      if (refresh.sent.length > before) {
        gaps.push(Math.round((Date.now() - last) / 100) * 100);
        last = Date.now();
      }
      if (refresh.sent.length === 8) break;
    }
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('the leeway is at most half the token lifetime', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('a 15 s token with the default 30 s leeway refreshes 7.5 s before expiry, not on every request, and the log says so', async () => {
    const refresh = scriptedRefresh(Array.from({ length: 20 }, (_, i) => ({ accessToken: `a${i + 2}`, refreshToken: `r${i + 2}`, expiresIn: 15 })));
    const { session, logged } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 15 });
    expect(logged).toContain('leeway shortened to 7.5 s: the token lives 15 s');
    vi.setSystemTime(T0 + 7400);
    expect(await session.accessToken()).toBe('a1');
    expect(refresh.sent).toHaveLength(0);
    vi.setSystemTime(T0 + 7600);
    expect(await session.accessToken()).toBe('a2');
    // a request every 500 ms for a minute: one refresh per 7.5 s at most
    for (let t = 8000; t <= 68_000; t += 500) {
      vi.setSystemTime(T0 + t);
      await session.accessToken();
    }
    expect(refresh.sent.length).toBeGreaterThanOrEqual(8);
    expect(refresh.sent.length).toBeLessThanOrEqual(9);
  });

  it('a long-lived token keeps the configured leeway, and nothing is logged about it', async () => {
    const refresh = scriptedRefresh([{ accessToken: 'a2', refreshToken: 'r2', expiresIn: 3600 }]);
    const { session, logged } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 3600 });
    vi.setSystemTime(T0 + 3_569_000); // 31 s left
    expect(await session.accessToken()).toBe('a1');
    vi.setSystemTime(T0 + 3_571_000); // 29 s left
    expect(await session.accessToken()).toBe('a2');
    expect(logged.filter((m) => m.includes('leeway'))).toEqual([]);
  });
});

describe('getAccessToken answers a fresh token or a coded error, never an expired one', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  const unavailable = (promise: Promise<unknown>) =>
    expect(promise).rejects.toSatisfy((e: unknown) => e instanceof BearerSwError && e.code === 'refresh-unavailable' && e.message.startsWith('Failed to get the access token: '));

  it('null without a session; the token while it is valid, even inside the leeway', async () => {
    const refresh = scriptedRefresh([new Error('down')]);
    const { session } = setup(refresh.fn);
    expect(await session.freshAccessToken()).toBeNull();
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    vi.setSystemTime(T0 + 290_000); // inside the leeway, the refresh fails: the token is still valid
    expect(await session.freshAccessToken()).toBe('a1');
  });

  it('refresh-unavailable after a transient failure and during the backoff, the new token once it comes', async () => {
    const refresh = scriptedRefresh([new Error('down'), { accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 }]);
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    await unavailable(session.freshAccessToken()); // the refresh failed
    await unavailable(session.freshAccessToken()); // inside the backoff: not even tried
    expect(refresh.sent).toHaveLength(1);
    vi.setSystemTime(Date.now() + 1100);
    expect(await session.freshAccessToken()).toBe('a2');
  });

  it('refresh-unavailable when the refresh takes longer than waitMs', async () => {
    let answer: (tokens: TokenSet) => void = () => undefined;
    const slow: RefreshFn = () => new Promise<TokenSet>((resolve) => (answer = resolve));
    const { session } = setup(slow, { waitMs: 500 });
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    expired();
    const pending = session.freshAccessToken();
    const outcome = expect(pending).rejects.toMatchObject({ code: 'refresh-unavailable' });
    await vi.advanceTimersByTimeAsync(600);
    await outcome;
    answer({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 });
    await vi.waitFor(async () => expect(await session.freshAccessToken()).toBe('a2'));
  });
});

describe('refreshCallTimeoutMs bounds one refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('aborts the call after refreshCallTimeoutMs (default 30 s), counts it as transient, and tries again after the backoff', async () => {
    const signals: AbortSignal[] = [];
    const hanging: RefreshFn = (_refreshToken, signal) => {
      signals.push(signal);
      return new Promise<TokenSet>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    for (const [callTimeout, expected] of [
      [undefined, 30_000],
      [5000, 5000],
    ] as const) {
      signals.length = 0;
      const store = createTokenStore(`rule-${++dbCounter}`);
      const session = new TokenSession({
        store,
        refresh: hanging,
        waitMs: 100,
        ...(callTimeout === undefined ? {} : { refreshCallTimeoutMs: callTimeout }),
        onChange: () => undefined,
      });
      await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
      expired();
      const request = session.accessToken();
      await vi.advanceTimersByTimeAsync(100);
      expect(await request).toBe('a1'); // the request stopped waiting after waitMs; the call goes on
      await vi.advanceTimersByTimeAsync(expected - 200);
      expect(signals.map((s) => s.aborted)).toEqual([false]);
      await vi.advanceTimersByTimeAsync(200);
      expect(signals.map((s) => s.aborted)).toEqual([true]);
      await vi.advanceTimersByTimeAsync(1100); // past the 1 s backoff
      void session.accessToken();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve)); // IndexedDB inside the lock
      expect(signals).toHaveLength(2);
    }
  });
});
