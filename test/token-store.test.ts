// The token store's open and first read (plain IndexedDB requests inside the open's success event,
// idb after it) and its connection handling: upgrade, versionchange, close, a failed open.
import 'fake-indexeddb/auto';
import { forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenStore } from '../src/worker/token-store.js';

let dbCounter = 0;
const freshName = () => `store-test-${++dbCounter}`;

/** Watches IndexedDB: opens, the connections they gave, transactions and where each started. */
function watch() {
  const open = IDBFactory.prototype.open;
  const transaction = IDBDatabase.prototype.transaction;
  const seen = { opens: 0, connections: [] as IDBDatabase[], transactions: [] as { mode: string; inOpenSuccess: boolean }[] };
  let inOpenSuccess = false;
  IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
    seen.opens += 1;
    const request = open.apply(this, args);
    // Added before the store's own handler, so it runs first; the flag drops at the next microtask.
    request.addEventListener('success', () => {
      seen.connections.push(request.result);
      inOpenSuccess = true;
      queueMicrotask(() => (inOpenSuccess = false));
    });
    return request;
  };
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    // (fake-indexeddb opens its upgrade transactions through this method too.)
    if (args[1] !== 'versionchange') seen.transactions.push({ mode: args[1] ?? 'readonly', inOpenSuccess });
    return transaction.apply(this, args);
  } as IDBDatabase['transaction'];
  restore = () => {
    IDBFactory.prototype.open = open;
    IDBDatabase.prototype.transaction = transaction;
  };
  return seen;
}
let restore = () => undefined as void;
afterEach(() => restore());

function openRaw(name: string, version: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('blocked'));
  });
}

function deleteRaw(name: string): Promise<'deleted' | 'blocked'> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve('deleted');
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve('blocked');
  });
}

describe('token store: the first read', () => {
  it('creates the object store on first use and reads an empty session at epoch 0, in the open success event', async () => {
    const seen = watch();
    const store = createTokenStore(freshName());
    expect(await store.read()).toEqual({ tokens: null, epoch: 0 });
    expect(seen.opens).toBe(1);
    expect(seen.transactions).toEqual([{ mode: 'readonly', inOpenSuccess: true }]);
    store.close();
  });

  it('reads a stored session in one transaction started in the open success event, then serves everything on that connection', async () => {
    const name = freshName();
    const writer = createTokenStore(name);
    await writer.write({ tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: 5, receivedAt: 1 }, epoch: 3 });
    writer.close();

    const seen = watch();
    const store = createTokenStore(name); // a restarted worker
    expect(await store.read()).toEqual({ tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: 5, receivedAt: 1 }, epoch: 3 });
    expect(seen.transactions).toEqual([{ mode: 'readonly', inOpenSuccess: true }]);
    // Later calls go through idb on the same connection.
    expect(await store.read()).toEqual({ tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: 5, receivedAt: 1 }, epoch: 3 });
    expect(await store.update((current) => ({ tokens: null, epoch: current.epoch + 1 }))).toEqual({ tokens: null, epoch: 4 });
    await store.write({ tokens: { accessToken: 'b' }, epoch: 5 });
    expect(await store.read()).toEqual({ tokens: { accessToken: 'b' }, epoch: 5 });
    expect(seen.opens).toBe(1);
    expect(seen.transactions.map((t) => [t.mode, t.inOpenSuccess])).toEqual([
      ['readonly', true],
      ['readonly', false],
      ['readwrite', false],
      ['readwrite', false],
      ['readonly', false],
    ]);
    store.close();
  });

  it('shares one open between a read and a write called before it finished', async () => {
    const seen = watch();
    const store = createTokenStore(freshName());
    const [read] = await Promise.all([store.read(), store.write({ tokens: { accessToken: 'w' }, epoch: 1 })]);
    expect(read).toEqual({ tokens: null, epoch: 0 });
    expect(await store.read()).toEqual({ tokens: { accessToken: 'w' }, epoch: 1 });
    expect(seen.opens).toBe(1);
    store.close();
  });

  it('rejects, rather than waiting forever, when the read cannot start (a database without the store)', async () => {
    const name = freshName();
    (await openRaw(name, 1)).close(); // version 1, but no object store
    const store = createTokenStore(name);
    await expect(store.read()).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('token store: the connection', () => {
  it('closes for a newer version requested elsewhere (that open is not blocked), and reopens on next use', async () => {
    const name = freshName();
    const seen = watch();
    const store = createTokenStore(name);
    await store.write({ tokens: { accessToken: 'kept' }, epoch: 1 });
    expect(await deleteRaw(name)).toBe('deleted');
    // Reopened: the upgrade creates the store again, empty.
    expect(await store.read()).toEqual({ tokens: null, epoch: 0 });
    expect(seen.opens).toBe(2);
    expect(seen.transactions.at(-1)).toEqual({ mode: 'readonly', inOpenSuccess: true });

    const upgraded = await openRaw(name, 2);
    upgraded.close();
    // The store's version (1) is now older than the database's: its open fails, and says so.
    await expect(store.read()).rejects.toMatchObject({ name: 'VersionError' });
  });

  it('reopens after the browser closed the connection', async () => {
    const name = freshName();
    const seen = watch();
    const store = createTokenStore(name);
    await store.write({ tokens: { accessToken: 'still there' }, epoch: 2 });
    // (fake-indexeddb types its parameter as the class; it takes the connection.)
    forceCloseDatabase(seen.connections[0]! as unknown as Parameters<typeof forceCloseDatabase>[0]);
    expect(await store.read()).toEqual({ tokens: { accessToken: 'still there' }, epoch: 2 });
    expect(seen.opens).toBe(2);
    store.close();
  });

  it('tries the open again after it failed', async () => {
    const name = freshName();
    (await openRaw(name, 3, (db) => db.createObjectStore('session'))).close();
    const store = createTokenStore(name);
    await expect(store.read()).rejects.toMatchObject({ name: 'VersionError' });
    await deleteRaw(name);
    expect(await store.read()).toEqual({ tokens: null, epoch: 0 });
    store.close();
  });

  it('closes on close() and reopens on next use', async () => {
    const name = freshName();
    const seen = watch();
    const store = createTokenStore(name);
    await store.write({ tokens: { accessToken: 'x' }, epoch: 1 });
    store.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(() => seen.connections[0]!.transaction('session')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    expect(await store.read()).toEqual({ tokens: { accessToken: 'x' }, epoch: 1 });
    expect(seen.opens).toBe(2);
    store.close();
  });
});
