import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LOOPBACK_HOST } from './loopback.js';

/** An HTTP server listening on a free port of `127.0.0.1`, with no request handler yet. */
export interface LoopbackServer {
  readonly server: Server;
  readonly port: number;
  /** `http://localhost:<port>`: what a browser uses (a secure context, so service workers work over http). */
  readonly origin: string;
  /** Stops the server, dropping open connections. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on a free loopback port. The handler is attached later (`server.on('request', …)`), so
 * every origin of the demo is known before any server needs to know the others.
 */
export async function listenOnLoopback(): Promise<LoopbackServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
