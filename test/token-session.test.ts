import 'fake-indexeddb/auto';
import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import type { InvalidReason, SessionSnapshot } from '../src/shared/protocol.js';
import { createTokenStore } from '../src/worker/token-store.js';
import { TokenSession } from '../src/worker/token-session.js';
import { expiresAtFor } from '../src/worker/expiry.js';

let dbCounter = 0;
function setup(options: { canRefresh?: boolean; now?: () => number } = {}) {
  const name = `test-${++dbCounter}`;
  const store = createTokenStore(name);
  const changes: Array<[SessionSnapshot, InvalidReason | null]> = [];
  const session = new TokenSession({
    store,
    refresh: options.canRefresh ? async () => ({ accessToken: 'refreshed' }) : null,
    onChange: (snapshot, lost) => changes.push([snapshot, lost]),
    ...(options.now ? { now: options.now } : {}),
  });
  return { name, store, session, changes };
}

const jwt = (exp: number) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new Uint8Array(32));

describe('token store', () => {
  it('reads an empty session at epoch 0, then what was written', async () => {
    const { store, name } = setup();
    expect(await store.read()).toEqual({ tokens: null, epoch: 0 });
    await store.write({ tokens: { accessToken: 'a', expiresAt: 5 }, epoch: 1 });
    store.close();
    // a separate connection (a restarted worker) sees the committed record
    const again = createTokenStore(name);
    expect(await again.read()).toEqual({ tokens: { accessToken: 'a', expiresAt: 5 }, epoch: 1 });
  });

  it('closes its connection when a newer database version is requested', async () => {
    const { store, name } = setup();
    await store.write({ tokens: null, epoch: 1 });
    const upgraded = await new Promise<boolean>((resolve) => {
      const request = indexedDB.open(name, 2);
      request.onsuccess = () => {
        request.result.close();
        resolve(true);
      };
      request.onblocked = () => resolve(false);
    });
    expect(upgraded).toBe(true);
  });
});

describe('TokenSession', () => {
  it('hands off, persists before telling anyone, and reports the new state', async () => {
    const { session, store, changes } = setup();
    const update = vi.spyOn(store, 'update');
    const snapshot = await session.handoff({ accessToken: 'tok', expiresIn: 60 });
    expect(snapshot).toEqual({ state: 'authenticated', epoch: 1 });
    expect(update).toHaveBeenCalledOnce();
    expect(changes).toEqual([[{ state: 'authenticated', epoch: 1 }, null]]);
    expect(await session.accessToken()).toBe('tok');
    expect((await store.read()).tokens?.accessToken).toBe('tok');
  });

  it('survives a worker restart: a new session object loads the stored tokens', async () => {
    const { session, name } = setup();
    await session.handoff({ accessToken: 'persisted' });
    const restarted = new TokenSession({ store: createTokenStore(name), refresh: null, onChange: () => undefined });
    expect(restarted.current).toBeNull();
    expect(await restarted.accessToken()).toBe('persisted');
  });

  it('counts expiresIn from arrival and ends an expired session once, with reason expired', async () => {
    let now = 1_000_000;
    const { session, changes } = setup({ now: () => now });
    await session.handoff({ accessToken: 'tok', expiresIn: 10 });
    now += 9_999;
    expect(await session.accessToken()).toBe('tok');
    now += 1;
    const [a, b] = await Promise.all([session.accessToken(), session.accessToken()]);
    expect([a, b]).toEqual([null, null]);
    expect(changes.filter(([, lost]) => lost === 'expired')).toHaveLength(1);
    expect(await session.snapshot()).toEqual({ state: 'unauthenticated', epoch: 2 });
  });

  it('uses a JWT exp when no expiresIn is given', async () => {
    const exp = 2_000_000_000;
    expect(expiresAtFor({ accessToken: await jwt(exp) }, 0)).toBe(exp * 1000);
    expect(expiresAtFor({ accessToken: 'opaque' }, 0)).toBeUndefined();
    expect(expiresAtFor({ accessToken: await jwt(exp), expiresIn: 5 }, 100)).toBe(5_100);
  });

  it('refuses tokens that can never be used without a refresh function, and keeps the session', async () => {
    const { session } = setup({ now: () => 3_000_000_000_000 });
    await session.handoff({ accessToken: 'first' });
    await expect(session.handoff({ refreshToken: 'r' })).rejects.toThrow(/accessToken is required/);
    await expect(session.handoff({ accessToken: await jwt(1_000) })).rejects.toThrow(/already expired and cannot be refreshed/);
    expect(await session.accessToken()).toBe('first');
  });

  it('is authenticated with a refresh token alone when it can refresh', async () => {
    const { session } = setup({ canRefresh: true });
    expect(await session.handoff({ refreshToken: 'r' })).toEqual({ state: 'authenticated', epoch: 1 });
  });

  it('logs out and ignores stale end() calls', async () => {
    const { session, changes } = setup();
    await session.handoff({ accessToken: 'a' });
    await session.handoff({ accessToken: 'b' });
    await session.end('expired', 1); // about epoch 1; the session is at 2 already
    expect(await session.accessToken()).toBe('b');
    expect(await session.logout()).toEqual({ state: 'unauthenticated', epoch: 3 });
    expect(await session.accessToken()).toBeNull();
    expect(changes.map(([, lost]) => lost)).toEqual([null, null, null]);
  });

  it('keeps changes in the order they were asked for', async () => {
    const { session } = setup();
    await Promise.all([session.handoff({ accessToken: 'one' }), session.logout(), session.handoff({ accessToken: 'three' })]);
    expect(await session.accessToken()).toBe('three');
    expect(session.current?.epoch).toBe(3);
  });

  it('leaves memory untouched when the write fails', async () => {
    const { session, store } = setup();
    await session.handoff({ accessToken: 'kept' });
    vi.spyOn(store, 'update').mockRejectedValueOnce(new Error('QuotaExceededError'));
    await expect(session.handoff({ accessToken: 'lost' })).rejects.toMatchObject({ code: 'storage-failed' });
    expect(await session.accessToken()).toBe('kept');
  });
});
