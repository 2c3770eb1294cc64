// Variant B, the floor: the least a hand-written worker can do — set one constant header on the
// requests to the API's /v1, pass everything else through untouched (no respondWith).
import { benchConfig } from './bench-config.js';

// Service worker types are not in the tools' DOM lib; only what this script touches.
interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface WorkerScope {
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}

const scope = globalThis as unknown as WorkerScope;
const { api, authorization } = benchConfig();
const prefix = `${api}/v1/`;

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
scope.addEventListener('fetch', (event) => {
  const request = event.request;
  if (!request.url.startsWith(prefix)) return;
  const headers = new Headers(request.headers);
  headers.set('authorization', authorization);
  event.respondWith(fetch(new Request(request, { headers })));
});
