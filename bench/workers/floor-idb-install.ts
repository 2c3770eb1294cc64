// The worker of floor-idb (see floor-idb.ts), as a function: the package is side-effect free, so a
// script that wants it must call it.
import { benchConfig } from './bench-config.js';
import { activateAtOnce, scope } from './scope.js';

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Opens the token store now and sets the stored header on the floor's requests. */
export function installFloorIdb(): void {
  const { api, authorization } = benchConfig();
  const prefix = `${api}/v1/`;
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
}
