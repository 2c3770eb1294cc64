import { deserializeError } from '../shared/errors.js';
import { PROTOCOL_VERSION, type PageMessageType } from '../shared/protocol.js';
import { failure } from './failure.js';
import { withTimeout } from './with-timeout.js';
import { replyTo } from './worker-messages.js';

let counter = 0;

/** Why a request failed when page and worker speak different protocol versions. */
export const VERSION_SKEW = 'the worker runs another bearer-sw version';

/**
 * Sends one request to the worker over a fresh `MessageChannel` and waits for its reply.
 *
 * The promise always settles: with the result, with the worker's coded error, at once with
 * `version-mismatch` when the worker answers in another protocol version, or with a `timeout`
 * error when no well-formed reply came in time. Only the worker holds the other end of
 * the channel; a reply is still checked (`replyTo`: envelope, id, `ok`, an error's code and message) before
 * use, and what fails the check is ignored. The result is untrusted: the caller checks its shape.
 *
 * @param worker - the active service worker
 * @param type - the request type
 * @param action - the action named in error messages, e.g. `'log out'`
 * @param timeout - the longest wait for the reply, in ms
 * @param payload - its payload, when the type takes one
 * @throws TypeError when the worker refused an argument; BearerSwError otherwise
 * @example
 * ```ts
 * const snapshot = await sendRequest(worker, 'logout', 'log out', 10_000)
 * ```
 */
export function sendRequest(worker: ServiceWorker, type: PageMessageType, action: string, timeout: number, payload?: unknown): Promise<unknown> {
  const id = String(++counter);
  const { port1, port2 } = new MessageChannel();
  return withTimeout<unknown>(timeout, action, 'the worker did not answer', (resolve, reject, signal) => {
    port1.addEventListener(
      'message',
      ({ data }: MessageEvent<unknown>) => {
        const reply = replyTo(data, id);
        if (reply === 'version-mismatch') reject(failure(reply, action, VERSION_SKEW));
        else if (reply?.ok === true) resolve(reply.result);
        else if (reply?.ok === false) reject(deserializeError(reply.error));
      },
      { signal },
    );
    port1.start();
    worker.postMessage({ v: PROTOCOL_VERSION, type, id, payload }, [port2]);
  }).finally(() => port1.close());
}
