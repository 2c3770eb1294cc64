import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/worker/read-ahead.js';
import { createTokenStore, type StoredSession, type TokenStore } from '../src/worker/token-store.js';

let dbCounter = 0;

/** A real store (fake-indexeddb) whose reads are counted. */
function countedStore(): { store: TokenStore; reads: () => number } {
  const store = createTokenStore(`read-ahead-${++dbCounter}`);
  let reads = 0;
  return {
    store: {
      ...store,
      read() {
        reads += 1;
        return store.read();
      },
    },
    reads: () => reads,
  };
}

describe('readAhead', () => {
  it('starts the read at once and hands that read to the first read() call', async () => {
    const { store, reads } = countedStore();
    const ahead = readAhead(store);
    expect(reads()).toBe(1);
    const first = await ahead.read();
    expect(reads()).toBe(1);
    expect(first).toEqual({ tokens: null, epoch: 0 });
  });

  it('reads the store again on every later call, so they see what was written since', async () => {
    const { store, reads } = countedStore();
    const ahead = readAhead(store);
    await ahead.read();
    const next: StoredSession = { tokens: { accessToken: 'a.b.c' }, epoch: 1 };
    await ahead.write(next);
    expect(await ahead.read()).toEqual(next);
    expect(reads()).toBe(2);
  });

  it('passes a failed first read on to its taker, and reads afresh after it', async () => {
    const { store } = countedStore();
    let fail = true;
    const flaky: TokenStore = {
      ...store,
      read: () => (fail ? Promise.reject(new Error('storage down')) : store.read()),
    };
    const ahead = readAhead(flaky);
    fail = false;
    await expect(ahead.read()).rejects.toThrow('storage down');
    expect(await ahead.read()).toEqual({ tokens: null, epoch: 0 });
  });
});
