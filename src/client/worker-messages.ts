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
 * coded error; `'version-mismatch'` when the reply is in another protocol version (only the worker
 * holds the other end of a request's port, so that worker speaks another version: a deploy in
 * progress); `undefined` when `data` is not a well-formed reply to that request. An error code
 * this page does not know (from a newer worker) is passed on as it is.
 */
export function replyTo(
  data: unknown,
  id: string,
): { ok: true; result: unknown } | { ok: false; error: SerializedError } | 'version-mismatch' | undefined {
  const message = data as Untrusted | null | undefined;
  if (message?.type !== 'reply' || message.id !== id) return undefined;
  if (message.v !== PROTOCOL_VERSION) return 'version-mismatch';
  const reply = message.payload;
  const error = reply?.error;
  // The payload itself: the caller reads only `ok` and `result` or the `error` checked here.
  return reply?.ok === true || (reply?.ok === false && typeof error?.code === 'string' && typeof error.message === 'string')
    ? (reply as { ok: true; result: unknown } | { ok: false; error: SerializedError })
    : undefined;
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

/**
 * A broadcast from the worker as the snapshot it leaves: a `state` snapshot, or for a lost session
 * an unauthenticated one with its `reason`; `undefined` for anything else.
 */
export function broadcastOf(data: unknown): (SessionSnapshot & { reason?: InvalidReason }) | undefined {
  const message = data as Untrusted | null | undefined;
  if (message?.v !== PROTOCOL_VERSION) return undefined;
  if (message.type === 'state') return snapshotOf(message.payload);
  const { reason, epoch } = Object(message.payload) as { reason?: unknown; epoch?: number };
  return message.type === 'session-invalid' && (reason === 'expired' || reason === 'refresh-rejected') && Number.isSafeInteger(epoch)
    ? { state: 'unauthenticated', epoch: epoch!, reason }
    : undefined;
}
