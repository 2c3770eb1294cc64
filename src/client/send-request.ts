import { BearerSwError, deserializeError } from '../shared/errors.js';
import { parseWorkerMessage, PROTOCOL_VERSION, type PageMessageType, type ReplyResults } from '../shared/protocol.js';
import type { TokenSet } from '../shared/token-set.js';

let counter = 0;
const prefix = Math.random().toString(36).slice(2, 10);

/**
 * Sends one request to the worker over a fresh `MessageChannel` and waits for its reply.
 *
 * The promise always settles: with the result, with the worker's coded error, or with a
 * `timeout` error when no reply came in time.
 *
 * @param worker - the active service worker
 * @param type - the request type
 * @param payload - its payload, when the type takes one
 * @param options - `timeout` in ms and the `action` named in error messages
 * @throws TypeError when the worker refused an argument; BearerSwError otherwise
 * @example
 * ```ts
 * const snapshot = await sendRequest(worker, 'logout', undefined, { timeout: 10_000, action: 'log out' })
 * ```
 */
export function sendRequest<T extends PageMessageType>(
  worker: ServiceWorker,
  type: T,
  payload: T extends 'handoff' ? TokenSet : T extends 'hello' ? { version: string } : undefined,
  options: { timeout: number; action: string },
): Promise<ReplyResults[T]> {
  const id = `${prefix}-${++counter}`;
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      reject(new BearerSwError('timeout', `Failed to ${options.action}: the service worker did not answer within ${options.timeout} ms`));
    }, options.timeout);
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      const reply = parseWorkerMessage(event.data);
      if (reply === null || reply.type !== 'reply' || reply.id !== id) return;
      clearTimeout(timer);
      channel.port1.close();
      if (reply.payload.ok) resolve(reply.payload.result as ReplyResults[T]);
      else reject(deserializeError(reply.payload.error));
    };
    const message = payload === undefined ? { v: PROTOCOL_VERSION, type, id } : { v: PROTOCOL_VERSION, type, id, payload };
    worker.postMessage(message, [channel.port2]);
  });
}
