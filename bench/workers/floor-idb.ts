// Reference for the diagnosis, not a variant of the benchmark: the floor, except that it keeps
// its token in IndexedDB as any worker must that survives being stopped — so the cost of reading
// it once after a start shows apart from everything else bearer-sw does.
import { benchConfig } from './bench-config.js';
import { activateAtOnce, scope } from './scope.js';

const { api, authorization } = benchConfig();
const prefix = `${api}/v1/`;

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const opening = indexedDB.open('bench-floor-idb', 1);
opening.onupgradeneeded = () => opening.result.createObjectStore('token');
const token: Promise<string> = settled(opening).then(async (db) => {
  const stored = (await settled(db.transaction('token').objectStore('token').get('current'))) as string | undefined;
  if (stored !== undefined) return stored;
  await settled(db.transaction('token', 'readwrite').objectStore('token').put(authorization, 'current'));
  return authorization;
});

activateAtOnce();
scope.addEventListener('fetch', (event) => {
  const request = event.request;
  if (!request.url.startsWith(prefix)) return;
  event.respondWith(
    token.then((value) => {
      const headers = new Headers(request.headers);
      headers.set('authorization', value);
      return fetch(new Request(request, { headers }));
    }),
  );
});
