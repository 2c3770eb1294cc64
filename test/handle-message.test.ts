// The worker's message gate, with the event shapes a browser delivers: only a same-origin window
// with a reply port gets through; anything else is dropped before it can touch the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleMessage, type MessageContext } from '../src/worker/handle-message.js';
import type { TokenSession } from '../src/worker/token-session.js';

// Node has no Client: a stand-in with the fields handleMessage reads.
class FakeClient {
  readonly type: 'window' | 'worker' | 'sharedworker';
  readonly url: string;
  constructor(type: FakeClient['type'], url: string) {
    this.type = type;
    this.url = url;
  }
}

const ORIGIN = 'https://app.example';

function setup() {
  const calls: string[] = [];
  const session = {
    snapshot: async () => (calls.push('snapshot'), { state: 'authenticated' as const, epoch: 1 }),
    handoff: async () => (calls.push('handoff'), { state: 'authenticated' as const, epoch: 2 }),
    logout: async () => (calls.push('logout'), { state: 'unauthenticated' as const, epoch: 2 }),
    accessToken: async () => (calls.push('accessToken'), 'secret-token'),
  } as unknown as TokenSession;
  const context: MessageContext = { session, origin: ORIGIN, exposeAccessToken: false, claim: async () => undefined, log: () => undefined };
  return { calls, context };
}

function event(source: unknown, data: unknown, withPort = true) {
  const replies: unknown[] = [];
  const port = { postMessage: (message: unknown) => replies.push(message) };
  return { replies, event: { source, data, ports: withPort ? [port] : [] } as unknown as ExtendableMessageEvent };
}

describe('handleMessage', () => {
  const saved = (globalThis as { Client?: unknown }).Client;
  beforeAll(() => {
    (globalThis as { Client?: unknown }).Client = FakeClient;
  });
  afterAll(() => {
    (globalThis as { Client?: unknown }).Client = saved;
  });

  const logout = { v: 1, type: 'logout', id: 'm1' };

  it.each([
    ['a dedicated worker of the origin', new FakeClient('worker', `${ORIGIN}/worker.js`)],
    ['a shared worker of the origin', new FakeClient('sharedworker', `${ORIGIN}/shared.js`)],
    ['a window of another origin', new FakeClient('window', 'https://evil.example/')],
    ['a window of a look-alike origin', new FakeClient('window', 'https://app.example.evil.example/')],
    ['a window on another port', new FakeClient('window', 'https://app.example:8443/')],
    ['no source', null],
    ['a MessagePort-like source', { postMessage: () => undefined }],
    ['a plain object that looks like a window client', { type: 'window', url: `${ORIGIN}/` }],
  ])('drops a logout from %s without answering or touching the session', async (_label, source) => {
    const { calls, context } = setup();
    const { replies, event: e } = event(source, logout);
    await handleMessage(e, context);
    expect(replies).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('drops a message from a same-origin window that brings no reply port', async () => {
    const { calls, context } = setup();
    const { event: e } = event(new FakeClient('window', `${ORIGIN}/page`), logout, false);
    await handleMessage(e, context);
    expect(calls).toEqual([]);
  });

  it('answers a same-origin window', async () => {
    const { calls, context } = setup();
    const { replies, event: e } = event(new FakeClient('window', `${ORIGIN}/page?x#y`), logout);
    await handleMessage(e, context);
    expect(calls).toEqual(['logout']);
    expect(replies).toMatchObject([{ type: 'reply', id: 'm1', payload: { ok: true } }]);
  });

  it.each([
    ['an older page', 0],
    ['a newer page', 2],
  ])('answers %s in its own protocol version, with version-mismatch, and changes nothing', async (_label, v) => {
    const { calls, context } = setup();
    const { replies, event: e } = event(new FakeClient('window', `${ORIGIN}/page`), { v, type: 'logout', id: 'm9' });
    await handleMessage(e, context);
    expect(calls).toEqual([]);
    expect(replies).toEqual([
      { v, type: 'reply', id: 'm9', payload: { ok: false, error: { code: 'version-mismatch', message: expect.stringMatching(/^Failed to handle the message: /) } } },
    ]);
  });

  it('refuses get-access-token unless exposed, without reading the token', async () => {
    const { calls, context } = setup();
    const { replies, event: e } = event(new FakeClient('window', `${ORIGIN}/`), { v: 1, type: 'get-access-token', id: 't' });
    await handleMessage(e, context);
    expect(calls).toEqual([]);
    expect(replies).toMatchObject([{ payload: { ok: false, error: { code: 'not-allowed' } } }]);
    expect(JSON.stringify(replies)).not.toContain('secret-token');
  });

  it('refuses login without a login configured', async () => {
    const { calls, context } = setup();
    const { replies, event: e } = event(new FakeClient('window', `${ORIGIN}/`), { v: 1, type: 'login', id: 'l', payload: {} });
    await handleMessage(e, context);
    expect(calls).toEqual([]);
    expect(replies).toMatchObject([{ payload: { ok: false, error: { code: 'not-allowed', message: 'Failed to log in: the worker has no login' } } }]);
  });

  it('lets the login answer what it owns, with the sending window, and leaves the rest to the core', async () => {
    const { calls, context } = setup();
    const seen: Array<[string, string]> = [];
    context.login = {
      message: (message: { type: string }, client: { url: string }) => {
        seen.push([message.type, client.url]);
        return message.type === 'login' ? Promise.resolve({ navigate: 'https://as.example/auth?x' }) : undefined;
      },
    } as unknown as NonNullable<MessageContext['login']>;
    const window = new FakeClient('window', `${ORIGIN}/inbox`);
    const login = event(window, { v: 1, type: 'login', id: 'l', payload: { returnTo: '/x' } });
    await handleMessage(login.event, context);
    expect(login.replies).toMatchObject([{ payload: { ok: true, result: { navigate: 'https://as.example/auth?x' } } }]);
    const out = event(window, logout);
    await handleMessage(out.event, context);
    expect(calls).toEqual(['logout']);
    expect(seen).toEqual([
      ['login', `${ORIGIN}/inbox`],
      ['logout', `${ORIGIN}/inbox`],
    ]);
  });
});
