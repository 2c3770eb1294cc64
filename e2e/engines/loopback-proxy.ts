import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startLoopbackProxy}. */
export interface LoopbackProxy {
  readonly port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive'];

/**
 * An HTTP forward proxy on 127.0.0.1 that sends every request, whatever its host name, to
 * 127.0.0.1 on the same port, with the Host header unchanged. It stands in for Chromium's
 * `--host-resolver-rules` in engines that only take a proxy (WebKitGTK through WebDriver's
 * `proxy` capability), so `http://api.test:<port>` reaches the recording API. Plain http only:
 * the tests use no https, so CONNECT is not served.
 */
export async function startLoopbackProxy(): Promise<LoopbackProxy> {
  const server = createServer((incoming, outgoing) => {
    let target: URL;
    try {
      target = new URL(incoming.url ?? '');
    } catch {
      outgoing.writeHead(400, { 'content-type': 'text/plain' }).end('loopback proxy: an absolute URL is required');
      return;
    }
    const headers = { ...incoming.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = request(
      { host: '127.0.0.1', port: Number(target.port || 80), method: incoming.method, path: `${target.pathname}${target.search}`, headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`loopback proxy: ${error.message}`);
    });
    // A page that goes away mid-request: pass the hang-up on, as a direct connection would.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) upstream.destroy();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
