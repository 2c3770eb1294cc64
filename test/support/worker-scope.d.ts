// The few service-worker globals that worker modules under test name in their signatures, for the
// tools typecheck (lib DOM, which lacks them; lib WebWorker cannot be added next to DOM). Only the
// members those modules read are declared.
interface Client {
  readonly id: string;
  readonly type: 'window' | 'worker' | 'sharedworker';
  readonly url: string;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}
// eslint-disable-next-line no-var -- a global the browser defines, as lib.webworker.d.ts declares it
declare var Client: { prototype: Client; new (): Client };

interface ExtendableMessageEvent extends Event {
  readonly data: unknown;
  readonly source: Client | ServiceWorker | MessagePort | null;
  readonly ports: ReadonlyArray<MessagePort>;
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEvent extends Event {
  readonly request: Request;
  readonly resultingClientId: string;
  respondWith(response: Response | Promise<Response>): void;
}
