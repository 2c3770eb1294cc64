// Service worker types are not in the tools' DOM lib: only what the hand-written bench workers touch.
export interface FetchEventLike extends Event {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
export interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
export interface InstallEventLike extends ExtendableEventLike {
  addRoutes?(rules: unknown[]): Promise<void>;
}
export interface WorkerScope {
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
  addEventListener(type: 'install', listener: (event: InstallEventLike) => void): void;
  addEventListener(type: 'activate', listener: (event: ExtendableEventLike) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}

/** The worker's global scope. */
export const scope = globalThis as unknown as WorkerScope;

/** Activates at once and controls the open pages, as every bench worker does. */
export function activateAtOnce(): void {
  scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
  scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
}
