// Diagnosis only, never in a timed run: marks in a worker's first life after a start, read by
// bench/cold-trace.ts. Imported first by a traced entry, so it runs before any other module of
// the bundle: it wraps IndexedDB's open and transaction, the worker's own fetch and its fetch
// listeners (event arrival, respondWith settled), all as absolute times (timeOrigin + now) so they
// line up with the page's clock.
import { scope } from './scope.js';

/** Marks of one worker start; `transactions` counts `IDBDatabase.transaction()` calls. */
export interface WorkerTrace {
  timeOrigin: number;
  marks: Record<string, number>;
  transactions: number;
}

const trace: WorkerTrace = { timeOrigin: performance.timeOrigin, marks: {}, transactions: 0 };

/** Sets the mark `name` to now, the first time only. */
export function mark(name: string): void {
  trace.marks[name] ??= performance.timeOrigin + performance.now();
}

mark('scriptStart');
// For marks of its own in a source tree under trial (`--alt`): `self.benchMark?.('name')`.
(globalThis as unknown as { benchMark: typeof mark }).benchMark = mark;

const open = IDBFactory.prototype.open;
IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
  mark('idbOpen');
  // Per database too (`idbOpen:<name>`), for workers that open more than one (the login's).
  mark(`idbOpen:${args[0]}`);
  const request = open.apply(this, args);
  request.addEventListener('success', () => {
    mark('idbOpened');
    mark(`idbOpened:${args[0]}`);
  });
  return request;
};
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  mark('idbTransaction');
  trace.transactions += 1;
  const tx = transaction.apply(this, args);
  tx.addEventListener('complete', () => mark('idbTransactionDone'));
  return tx;
} as IDBDatabase['transaction'];
const get = IDBObjectStore.prototype.get;
IDBObjectStore.prototype.get = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
  const request = get.call(this, query);
  request.addEventListener('success', () => {
    mark('idbRead');
    mark(`idbRead:${this.name}`);
  });
  return request;
};

// WebCrypto (DPoP: the public key's export, the token's digest, the proof's signature): when each
// operation was first called and first settled, `subtle:<op>` and `subtle:<op>:done`.
const subtle = crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const op of ['exportKey', 'digest', 'sign', 'generateKey', 'importKey']) {
  const original = subtle[op]!.bind(crypto.subtle);
  subtle[op] = (...args: unknown[]) => {
    mark(`subtle:${op}`);
    const result = original(...args);
    void result.then(() => mark(`subtle:${op}:done`), () => undefined);
    return result;
  };
}

const send = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  mark('networkFetch');
  const response = await send(...args);
  mark('networkResponse');
  return response;
};

const listen = scope.addEventListener.bind(scope) as (type: string, listener: (event: Event) => void) => void;
(scope as unknown as { addEventListener: typeof listen }).addEventListener = (type, listener) => {
  if (type !== 'fetch') return listen(type, listener);
  return listen(type, (event) => {
    mark('fetchEvent');
    const fetchEvent = event as Event & { respondWith(response: Promise<Response>): void };
    const respondWith = fetchEvent.respondWith.bind(fetchEvent);
    fetchEvent.respondWith = (response) => {
      mark('respondWith');
      respondWith(response);
      void response.then(() => mark('respondWithSettled'), () => undefined);
    };
    listener(event);
  });
};

listen('message', (event) => {
  const message = event as MessageEvent<unknown>;
  const data = message.data as { benchTrace?: boolean } | null;
  if (data?.benchTrace === true) message.ports[0]?.postMessage(trace);
});
