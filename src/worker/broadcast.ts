import type { WorkerMessage } from '../shared/protocol.js';

/**
 * Posts a message to every window of this origin in the worker's scope, controlled or not (a
 * hard-reloaded tab is uncontrolled but still has to hear that the session ended).
 *
 * @param clients - the worker's `self.clients`
 * @param message - a validated worker message
 * @example
 * ```ts
 * await broadcast(self.clients, { v: 1, type: 'state', payload: { state: 'unauthenticated', epoch: 3 } })
 * ```
 */
export async function broadcast(clients: Clients, message: WorkerMessage): Promise<void> {
  const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}
