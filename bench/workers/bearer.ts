// Variant C: bearer-sw as an app would configure it — several rules (Bearer and a raw custom
// header, a same-origin API under /api, other hosts), an OAuth 2.0 refresh function.
import { installTokenInjector, oauth2Refresh } from 'bearer-sw/worker';
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

installTokenInjector({
  apis: [
    { origin: config.api, paths: ['/v1', '/v2'] },
    { origin: config.api, paths: ['/graphql'], header: 'x-api-token', scheme: null },
    { origin: config.app, paths: ['/api'] },
    { origin: 'https://files.example.com', paths: ['/upload'] },
    { origin: 'https://realtime.example.com', header: 'x-stack-access-token', scheme: null },
  ],
  refresh: oauth2Refresh({ tokenEndpoint: config.tokenEndpoint, clientId: config.clientId }),
  staticRoutes: config.staticRoutes,
  // Off, as in production: the bench measures what users ship (the default, stated so it stays so).
  debug: false,
});
