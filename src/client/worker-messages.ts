/**
 * The checks the page runs on what the worker sends it: a reply on a request's port, a `state`
 * broadcast, a `session-invalid` broadcast. Nothing in a message is used before it passed one;
 * what fails is ignored. (The worker checks what pages send with `parsePageMessage`.)
 */
import type { SerializedError } from '../shared/errors.js';
import { PROTOCOL_VERSION, type InvalidReason, type SessionSnapshot } from '../shared/protocol.js';

/** A message as it arrives: nothing in it is trusted until checked. */
interface Untrusted {
  v?: unknown;
  type?: unknown;
  id?: unknown;
  payload?: { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
}

/**
 * The outcome a reply carries for the request `id`: its (still untrusted) result, or the worker's
 * coded error; `undefined` when `data` is not a well-formed reply to that request. An error code
 * this page does not know (from a newer worker) is passed on as it is.
 */
export function replyTo(data: unknown, id: string): { ok: true; result: unknown } | { ok: false; error: SerializedError } | undefined {
  const message = data as Untrusted | null | undefined;
  const reply = message?.v === PROTOCOL_VERSION && message.type === 'reply' && message.id === id ? message.payload : undefined;
  const error = reply?.error;
  if (reply?.ok === true) return { ok: true, result: reply.result };
  if (reply?.ok === false && typeof error?.code === 'string' && typeof error.message === 'string') {
    return { ok: false, error: error as SerializedError };
  }
  return undefined;
}

/**
 * `value` as a session snapshot (a known state, an integer epoch), or `undefined`. Its `user` is
 * passed on as the worker built it from a validated ID token (the page's size budget leaves its
 * shape to the worker, as it leaves tokens).
 */
export function snapshotOf(value: unknown): SessionSnapshot | undefined {
  const { state, epoch, user } = Object(value) as Partial<SessionSnapshot>;
  return (state === 'authenticated' || state === 'unauthenticated') && Number.isSafeInteger(epoch)
    ? { state, epoch: epoch!, user }
    : undefined;
}

/** A broadcast from the worker: a `state` snapshot or a lost session, or `undefined` for anything else. */
export function broadcastOf(
  data: unknown,
): { type: 'state'; snapshot: SessionSnapshot } | { type: 'session-invalid'; reason: InvalidReason; epoch: number } | undefined {
  const message = data as Untrusted | null | undefined;
  if (message?.v !== PROTOCOL_VERSION) return undefined;
  if (message.type === 'state') {
    const snapshot = snapshotOf(message.payload);
    return snapshot && { type: 'state', snapshot };
  }
  const { reason, epoch } = Object(message.payload) as { reason?: unknown; epoch?: number };
  return message.type === 'session-invalid' && (reason === 'expired' || reason === 'refresh-rejected') && Number.isSafeInteger(epoch)
    ? { type: 'session-invalid', reason, epoch: epoch! }
    : undefined;
}
