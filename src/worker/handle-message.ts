import { BearerSwError, serializeError, type SerializedError } from '../shared/errors.js';
import { parsePageMessage, PROTOCOL_VERSION, type PageMessage, type WorkerMessage } from '../shared/protocol.js';
import { parseTokenSet } from '../shared/token-set.js';
import { VERSION } from '../shared/version.js';
import type { TokenSession } from './token-session.js';
import type { WorkerLogin } from './worker-login.js';
import { msg } from '../shared/message.js';

/** What the message handler needs from the worker. */
export interface MessageContext {
  session: TokenSession;
  /** The worker's own origin: only same-origin windows may talk to it. */
  origin: string;
  exposeAccessToken: boolean;
  /** The worker's own login, which answers the requests it changes (`login`, `logout`, …). */
  login?: WorkerLogin | null;
  claim(): Promise<void>;
  /** The debug log; absent when `debug` is off. */
  log?: ((message: string) => void) | undefined;
}

const GUARD_MESSAGES: Record<string, string> = {
  'invalid-message': msg`Failed to handle the message: not a bearer-sw message`,
  'unknown-type': msg`Failed to handle the message: unknown message type`,
  'version-mismatch': msg`Failed to handle the message: the page runs another bearer-sw version`,
};

/** Replies in our protocol version, or in `v`, the page's, to a page of another (see VersionMismatchReply). */
function reply(port: MessagePort, id: string, outcome: { result: unknown } | { error: SerializedError }, v: number = PROTOCOL_VERSION): void {
  const payload = 'error' in outcome ? { ok: false, error: outcome.error } : { ok: true, result: outcome.result };
  port.postMessage({ v, type: 'reply', id, payload } as WorkerMessage);
}

async function dispatch(message: PageMessage, context: MessageContext, client: Client): Promise<unknown> {
  const { session } = context;
  const answer = context.login?.message(message, client);
  if (answer) return answer;
  switch (message.type) {
    case 'hello':
      return { ...(await session.snapshot()), version: VERSION };
    case 'handoff':
      return session.handoff(parseTokenSet(message.payload, 'hand off tokens'));
    case 'logout':
      return session.logout();
    case 'claim':
      await context.claim();
      return null;
    case 'get-access-token':
      if (!context.exposeAccessToken) {
        throw new BearerSwError('not-allowed', msg`Failed to get the access token: exposeAccessToken is off`);
      }
      return { accessToken: await session.freshAccessToken() };
    case 'login':
      throw new BearerSwError('not-allowed', msg`Failed to log in: the worker has no login`);
  }
}

/**
 * Answers one message from a page. Messages from anything but a same-origin window, or without a
 * reply port, are dropped; malformed ones are answered with a coded error and change nothing.
 *
 * @returns a promise for the worker to keep alive with `waitUntil`; it never rejects
 * @example
 * ```ts
 * self.addEventListener('message', (event) => event.waitUntil(handleMessage(event, context)))
 * ```
 */
export async function handleMessage(event: ExtendableMessageEvent, context: MessageContext): Promise<void> {
  const source = event.source;
  if (!(source instanceof Client) || source.type !== 'window' || new URL(source.url).origin !== context.origin) {
    context.log?.('dropped a message: not from a same-origin window');
    return;
  }
  const port = event.ports[0];
  if (port === undefined) {
    context.log?.('dropped a message: no reply port');
    return;
  }
  const message = parsePageMessage(event.data);
  if ('reason' in message) {
    context.log?.(`refused a message: ${message.reason}`);
    if (message.id !== undefined) {
      reply(port, message.id, { error: { code: message.reason, message: GUARD_MESSAGES[message.reason] ?? msg`Failed to handle the message` } }, message.v);
    }
    return;
  }
  try {
    reply(port, message.id, { result: await dispatch(message, context, source) });
  } catch (error) {
    reply(port, message.id, { error: serializeError(error) });
  }
}
