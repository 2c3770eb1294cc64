// The floor's fetch listener, as a function so the route-all floor can share it: set one constant
// header on the requests to the API's /v1, pass everything else through untouched (no respondWith).
import { benchConfig } from './bench-config.js';
import { scope } from './scope.js';

/** Adds the floor's fetch listener. */
export function listenLikeTheFloor(): void {
  const { api, authorization } = benchConfig();
  const prefix = `${api}/v1/`;
  scope.addEventListener('fetch', (event) => {
    const request = event.request;
    if (!request.url.startsWith(prefix)) return;
    const headers = new Headers(request.headers);
    headers.set('authorization', authorization);
    event.respondWith(fetch(new Request(request, { headers })));
  });
}
