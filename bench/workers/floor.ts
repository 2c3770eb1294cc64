// Variant B, the floor: the least a hand-written worker can do — set one constant header on the
// requests to the API's /v1, pass everything else through untouched (no respondWith).
import { benchConfig } from './bench-config.js';
import { activateAtOnce, scope } from './scope.js';

const { api, authorization } = benchConfig();
const prefix = `${api}/v1/`;

activateAtOnce();
scope.addEventListener('fetch', (event) => {
  const request = event.request;
  if (!request.url.startsWith(prefix)) return;
  const headers = new Headers(request.headers);
  headers.set('authorization', authorization);
  event.respondWith(fetch(new Request(request, { headers })));
});
