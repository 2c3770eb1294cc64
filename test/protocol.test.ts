import { describe, expect, it } from 'vitest';
import { isWithinSize, parsePageMessage } from '../src/shared/protocol.js';

describe('parsePageMessage', () => {
  it('accepts each request type', () => {
    expect(parsePageMessage({ v: 1, type: 'hello', id: 'a', payload: { version: '0.1.0' } })).toEqual({
      v: 1,
      type: 'hello',
      id: 'a',
      payload: { version: '0.1.0' },
    });
    expect(parsePageMessage({ v: 1, type: 'logout', id: 'b', extra: 1 })).toEqual({ v: 1, type: 'logout', id: 'b' });
    expect(parsePageMessage({ v: 1, type: 'handoff', id: 'c', payload: { accessToken: 'x' } })).toMatchObject({ type: 'handoff' });
  });

  it.each([
    [null, { reason: 'invalid-message' }],
    ['hello', { reason: 'invalid-message' }],
    [{ v: 1, type: 'logout' }, { reason: 'invalid-message' }],
    [{ v: 1, type: 'logout', id: '' }, { reason: 'invalid-message' }],
    [{ v: 1, type: 'logout', id: 'x'.repeat(65) }, { reason: 'invalid-message' }],
    [{ v: 2, type: 'logout', id: 'a' }, { reason: 'version-mismatch', id: 'a', v: 2 }],
    [{ v: 0, type: 'hello', id: 'a', payload: { version: '0.0.1' } }, { reason: 'version-mismatch', id: 'a', v: 0 }],
    [{ v: '1', type: 'logout', id: 'a' }, { reason: 'version-mismatch', id: 'a' }],
    [{ v: 1.5, type: 'logout', id: 'a' }, { reason: 'version-mismatch', id: 'a' }],
    [{ v: 1, type: 'set-allowlist', id: 'a' }, { reason: 'unknown-type', id: 'a' }],
    [{ v: 1, type: 7, id: 'a' }, { reason: 'invalid-message', id: 'a' }],
    [{ v: 1, type: 'hello', id: 'a' }, { reason: 'invalid-message', id: 'a' }],
    [{ v: 1, type: 'hello', id: 'a', payload: { version: 3 } }, { reason: 'invalid-message', id: 'a' }],
  ])('refuses %j', (input, failure) => {
    expect(parsePageMessage(input)).toEqual(failure);
  });

  it('refuses oversized messages without walking all of them', () => {
    const big = { v: 1, type: 'handoff', id: 'a', payload: { accessToken: 'x'.repeat(70_000) } };
    expect(parsePageMessage(big)).toEqual({ reason: 'invalid-message', id: 'a' });
    const wide = { v: 1, type: 'logout', id: 'a', junk: Array.from({ length: 100_000 }, (_, i) => i) };
    expect(parsePageMessage(wide)).toEqual({ reason: 'invalid-message', id: 'a' });
  });

  it('copes with cycles', () => {
    const cyclic: Record<string, unknown> = { v: 1, type: 'logout', id: 'a' };
    cyclic.self = cyclic;
    expect(parsePageMessage(cyclic)).toEqual({ v: 1, type: 'logout', id: 'a' });
  });
});

describe('isWithinSize', () => {
  it('counts string characters and keys', () => {
    expect(isWithinSize({ a: 'x'.repeat(10) }, 20)).toBe(true);
    expect(isWithinSize({ a: 'x'.repeat(30) }, 20)).toBe(false);
    expect(isWithinSize(new Uint8Array(100), 50)).toBe(false);
  });
});
