// Variant C: bearer-sw as an app would configure it (bearer-config.ts).
import { installTokenInjector } from 'bearer-sw/worker';
import { bearerConfig } from './bearer-config.js';
import { benchConfig } from './bench-config.js';

const config = benchConfig();

if (config.instrument) {
  // Counts IndexedDB use, to show that a warm worker answers requests from memory. Only in the
  // instrumented script, never in the timed runs.
  const counts = { open: 0, transaction: 0 };
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (this: IDBFactory, ...args: Parameters<IDBFactory['open']>) {
    counts.open += 1;
    return open.apply(this, args);
  };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    counts.transaction += 1;
    return transaction.apply(this, args);
  } as IDBDatabase['transaction'];
  globalThis.addEventListener('message', (event) => {
    const message = event as MessageEvent<unknown>;
    const data = message.data as { benchIdb?: boolean } | null;
    if (data?.benchIdb === true) message.ports[0]?.postMessage({ ...counts });
  });
}

installTokenInjector(bearerConfig());
