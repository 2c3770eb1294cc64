import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvalidReason, SessionSnapshot } from '../src/shared/protocol.js';
import type { TokenSet } from '../src/shared/token-set.js';
import type { RefreshFn } from '../src/worker/injector-config.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../src/worker/refresh-errors.js';
import { createTokenStore } from '../src/worker/token-store.js';
import { TokenSession } from '../src/worker/token-session.js';

let dbCounter = 0;

/** A refresh function whose calls the test settles by hand. */
function controllableRefresh() {
  const calls: Array<{ refreshToken: string; signal: AbortSignal; resolve: (t: TokenSet) => void; reject: (e: unknown) => void }> = [];
  const fn: RefreshFn = (refreshToken, signal) =>
    new Promise<TokenSet>((resolve, reject) => {
      calls.push({ refreshToken, signal, resolve, reject });
    });
  return { fn, calls };
}

function setup(refresh: RefreshFn | null, options: { waitMs?: number; locks?: LockManager } = {}) {
  const store = createTokenStore(`refresh-${++dbCounter}`);
  const changes: Array<[SessionSnapshot, InvalidReason | null]> = [];
  const session = new TokenSession({
    store,
    refresh,
    leewayMs: 30_000,
    waitMs: options.waitMs ?? 10_000,
    locks: options.locks,
    onChange: (snapshot, lost) => changes.push([snapshot, lost]),
  });
  return { store, session, changes };
}

/** Lets IndexedDB (fake-indexeddb schedules with setImmediate) and promises run. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('refresh engine', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('does not refresh a token outside the leeway', async () => {
    const refresh = controllableRefresh();
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    expect(await session.accessToken()).toBe('a1');
    expect(refresh.calls).toHaveLength(0);
  });

  it('refreshes once for many concurrent requests inside the leeway, and all get the result', async () => {
    const refresh = controllableRefresh();
    const { session, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    vi.setSystemTime(1_000_000 + 31_000); // 29 s left: within the 30 s leeway
    const pending = Array.from({ length: 50 }, () => session.accessToken());
    await settle();
    expect(refresh.calls).toHaveLength(1);
    expect(refresh.calls[0]?.refreshToken).toBe('r1');
    refresh.calls[0]?.resolve({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 });
    expect(new Set(await Promise.all(pending))).toEqual(new Set(['a2']));
    // rotation: the new refresh token is stored, the old one never sent again
    expect((await store.read()).tokens).toMatchObject({ accessToken: 'a2', refreshToken: 'r2' });
    vi.setSystemTime(1_000_000 + 31_000 + 31_000);
    const next = session.accessToken();
    await settle();
    expect(refresh.calls.map((c) => c.refreshToken)).toEqual(['r1', 'r2']);
    refresh.calls[1]?.resolve({ accessToken: 'a3', expiresIn: 60 });
    expect(await next).toBe('a3');
    // a server that does not rotate: the old refresh token is kept
    expect((await store.read()).tokens?.refreshToken).toBe('r2');
  });

  it('writes the new tokens to IndexedDB before any request can use the new access token', async () => {
    const refresh = controllableRefresh();
    const { session, store } = setup(refresh.fn);
    await session.handoff({ refreshToken: 'r1' });
    const order: string[] = [];
    const update = store.update.bind(store);
    vi.spyOn(store, 'update').mockImplementation(async (change) => {
      const result = await update(change);
      order.push(`stored:${result.tokens?.accessToken ?? 'none'}`);
      return result;
    });
    const pending = session.accessToken().then((token) => order.push(`used:${token}`));
    await settle();
    refresh.calls[0]?.resolve({ accessToken: 'a1', refreshToken: 'r2' });
    await pending;
    expect(order).toEqual(['stored:a1', 'used:a1']);
  });

  it('a refresh-token-only session refreshes on first use', async () => {
    const refresh = controllableRefresh();
    const { session } = setup(refresh.fn);
    expect(await session.handoff({ refreshToken: 'r1' })).toMatchObject({ state: 'authenticated' });
    const token = session.accessToken();
    await settle();
    refresh.calls[0]?.resolve({ accessToken: 'a1', refreshToken: 'r2', expiresIn: 60 });
    expect(await token).toBe('a1');
  });

  it('a definitive failure ends the session once, with refresh-rejected', async () => {
    const refresh = controllableRefresh();
    const { session, changes, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    const pending = [session.accessToken(), session.accessToken()];
    await settle();
    refresh.calls[0]?.reject(new RefreshRejectedError('Failed to refresh tokens: invalid_grant', { oauthError: 'invalid_grant' }));
    // the requests still go out, without a token: the session is over
    expect(await Promise.all(pending)).toEqual([null, null]);
    expect(changes.filter(([, lost]) => lost !== null)).toEqual([[{ state: 'unauthenticated', epoch: 2 }, 'refresh-rejected']]);
    expect((await store.read()).tokens).toBeNull();
    expect(await session.accessToken()).toBeNull();
    expect(refresh.calls).toHaveLength(1);
  });

  it('a transient failure keeps the session, backs off, and then succeeds with the same refresh token', async () => {
    const refresh = controllableRefresh();
    const { session, changes } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    const first = session.accessToken();
    await settle();
    refresh.calls[0]?.reject(new RefreshUnavailableError('Failed to refresh tokens: the token endpoint answered 503'));
    expect(await first).toBe('a1'); // goes out with what it has
    // within the 1 s backoff: no new call
    expect(await session.accessToken()).toBe('a1');
    expect(refresh.calls).toHaveLength(1);
    vi.setSystemTime(1_000_000 + 12_100);
    const second = session.accessToken();
    await settle();
    expect(refresh.calls).toHaveLength(2);
    refresh.calls[1]?.reject(new Error('any other error counts as transient'));
    await second;
    vi.setSystemTime(1_000_000 + 13_500); // backoff is now 2 s
    await session.accessToken();
    expect(refresh.calls).toHaveLength(2);
    vi.setSystemTime(1_000_000 + 14_200);
    const third = session.accessToken();
    await settle();
    refresh.calls[2]?.resolve({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 });
    expect(await third).toBe('a2');
    expect(refresh.calls.map((c) => c.refreshToken)).toEqual(['r1', 'r1', 'r1']);
    expect(changes.some(([, lost]) => lost !== null)).toBe(false);
  });

  it('no request waits longer than waitMs for a refresh; the late result is still stored', async () => {
    const refresh = controllableRefresh();
    const { session } = setup(refresh.fn, { waitMs: 500 });
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    const pending = session.accessToken();
    await settle();
    await vi.advanceTimersByTimeAsync(500);
    expect(await pending).toBe('a1');
    refresh.calls[0]?.resolve({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 });
    await settle();
    expect(await session.accessToken()).toBe('a2');
  });

  it('logout during a refresh discards its result: the session does not come back', async () => {
    const refresh = controllableRefresh();
    const { session, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    const pending = session.accessToken();
    await settle();
    await session.logout();
    refresh.calls[0]?.resolve({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 });
    await pending;
    await settle();
    expect((await store.read()).tokens).toBeNull();
    expect(await session.accessToken()).toBeNull();
    expect(await session.snapshot()).toMatchObject({ state: 'unauthenticated' });
  });

  it('a handoff during a refresh wins over the stale result', async () => {
    const refresh = controllableRefresh();
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    const pending = session.accessToken();
    await settle();
    await session.handoff({ accessToken: 'fresh-login', refreshToken: 'r9', expiresIn: 300 });
    refresh.calls[0]?.resolve({ accessToken: 'stale', refreshToken: 'r2', expiresIn: 60 });
    await pending;
    await settle();
    expect(await session.accessToken()).toBe('fresh-login');
  });

  it('after a 401, refreshes only if the failed token is still the current one', async () => {
    const refresh = controllableRefresh();
    const { session } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 300 });
    const retried = session.accessTokenAfterUnauthorized('a1');
    await settle();
    expect(refresh.calls).toHaveLength(1);
    refresh.calls[0]?.resolve({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 300 });
    expect(await retried).toBe('a2');
    // a late 401 for the old token: the current one is already newer, no refresh
    expect(await session.accessTokenAfterUnauthorized('a1')).toBe('a2');
    expect(refresh.calls).toHaveLength(1);
  });

  it('re-reads the stored tokens inside the lock: another context already refreshed', async () => {
    const refresh = controllableRefresh();
    const { session, store } = setup(refresh.fn);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    // another worker sharing the database refreshed meanwhile
    await store.update((current) => ({ tokens: { accessToken: 'other', refreshToken: 'r2', expiresAt: Date.now() + 300_000 }, epoch: current.epoch + 1 }));
    vi.setSystemTime(1_000_000 + 11_000);
    expect(await session.accessToken()).toBe('other');
    expect(refresh.calls).toHaveLength(0);
  });

  it('holds a Web Lock around the refresh where locks exist, and works without them', async () => {
    const held: string[] = [];
    const locks = {
      request: async (name: string, _options: unknown, task: () => Promise<unknown>) => {
        held.push(name);
        return task();
      },
    } as unknown as LockManager;
    const refresh = vi.fn(async () => ({ accessToken: 'a2', refreshToken: 'r2', expiresIn: 60 }));
    const withLocks = setup(refresh, { locks });
    await withLocks.session.handoff({ refreshToken: 'r1' });
    expect(await withLocks.session.accessToken()).toBe('a2');
    expect(held).toEqual(['bearer-sw:refresh']);

    const without = setup(refresh);
    await without.session.handoff({ refreshToken: 'r1' });
    expect(await without.session.accessToken()).toBe('a2');
  });

  it('treats a malformed refresh result as transient and keeps the session', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'has space' }) as TokenSet);
    const { session, changes } = setup(refresh);
    await session.handoff({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 10 });
    vi.setSystemTime(1_000_000 + 11_000);
    expect(await session.accessToken()).toBe('a1');
    expect(changes.some(([, lost]) => lost !== null)).toBe(false);
  });
});
