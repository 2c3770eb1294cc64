import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';
import { broadcastOf, replyTo, snapshotOf } from '../src/client/worker-messages.js';

describe('the page checks what the worker sends', () => {
  it('accepts replies, states and session-invalid', () => {
    expect(replyTo({ v: PROTOCOL_VERSION, type: 'reply', id: 'a', payload: { ok: true, result: null } }, 'a')).toEqual({ ok: true, result: null });
    expect(replyTo({ v: 1, type: 'reply', id: 'a', payload: { ok: false, error: { code: 'timeout', message: 'm' } } }, 'a')).toEqual({
      ok: false,
      error: { code: 'timeout', message: 'm' },
    });
    expect(broadcastOf({ v: 1, type: 'state', payload: { state: 'authenticated', epoch: 3 } })).toEqual({ state: 'authenticated', epoch: 3 });
    // A state broadcast never carries a reason, so it cannot pass for a lost session.
    expect(broadcastOf({ v: 1, type: 'state', payload: { state: 'unauthenticated', epoch: 3, reason: 'expired' } })).toEqual({ state: 'unauthenticated', epoch: 3 });
    expect(broadcastOf({ v: 1, type: 'session-invalid', payload: { reason: 'expired', epoch: 3 } })).toEqual({
      state: 'unauthenticated',
      epoch: 3,
      reason: 'expired',
    });
  });

  it.each([
    [{ v: 1, type: 'state', payload: { state: 'root', epoch: 1 } }],
    [{ v: 1, type: 'state', payload: { state: 'authenticated', epoch: 1.5 } }],
    [{ v: 1, type: 'session-invalid', payload: { reason: 'because', epoch: 1 } }],
    [{ v: 1, type: 'session-invalid', payload: { reason: 'expired' } }],
    [{ v: 0, type: 'state', payload: { state: 'authenticated', epoch: 1 } }],
    [{ v: 1, type: 'reply', id: 'a', payload: { ok: true } }],
    [{ type: 'MOCK_ACTIVATE' }],
    [null],
  ])('drops the broadcast %j', (input) => {
    expect(broadcastOf(input)).toBeUndefined();
  });

  it.each([
    [{ v: 1, type: 'reply', id: 'a', payload: { ok: false, error: { code: 7, message: 'm' } } }],
    [{ v: 1, type: 'reply', id: 'a', payload: { ok: false, error: { code: 'timeout' } } }],
    [{ v: 1, type: 'reply', id: 'b', payload: { ok: true } }],
    [{ v: 1, type: 'reply', payload: { ok: true } }],
    [{ v: 1, type: 'reply', id: 'a', payload: { ok: 'yes' } }],
    [{ v: 1, type: 'state', id: 'a', payload: { ok: true } }],
    [undefined],
  ])('drops the reply %j', (input) => {
    expect(replyTo(input, 'a')).toBeUndefined();
  });

  it.each([
    ['an older worker', { v: PROTOCOL_VERSION - 1, type: 'reply', id: 'a', payload: { ok: false, error: { code: 'version-mismatch', message: 'm' } } }],
    ['a newer worker', { v: PROTOCOL_VERSION + 1, type: 'reply', id: 'a', payload: { ok: true, result: { state: 'authenticated', epoch: 1 } } }],
    ['a worker of another shape', { v: 'x', type: 'reply', id: 'a' }],
  ])('takes a reply to this request from %s, in another protocol version, as a version mismatch', (_label, input) => {
    expect(replyTo(input, 'a')).toBe('version-mismatch');
    // … but only a reply to this request
    expect(replyTo(input, 'b')).toBeUndefined();
  });

  it('reads a snapshot only with a known state and an integer epoch', () => {
    expect(snapshotOf({ state: 'unauthenticated', epoch: 0, extra: 1 })).toEqual({ state: 'unauthenticated', epoch: 0 });
    expect(snapshotOf({ state: 'authenticated', epoch: Number.MAX_SAFE_INTEGER + 1 })).toBeUndefined();
    expect(snapshotOf('authenticated')).toBeUndefined();
    expect(snapshotOf(null)).toBeUndefined();
  });
});
