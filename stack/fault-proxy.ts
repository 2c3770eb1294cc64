import { Agent, createServer, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { LOOPBACK_HOST } from './loopback.js';

/**
 * What happens to a refresh call that a fault was programmed for:
 * - `503`: answered 503 `temporarily_unavailable`, with the CORS headers the provider would send; never forwarded.
 * - `reset`: the socket is destroyed without an answer; never forwarded, so the provider provably never saw it.
 * - `delay`: forwarded after `delayMs`, then answered normally.
 * - `lost-response`: forwarded (the provider rotates the token) but the socket is destroyed instead of answering.
 */
export type FaultKind = '503' | 'reset' | 'delay' | 'lost-response';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Path of the provider's token endpoint. Default `/token`. */
  tokenPath?: string;
}

/** A running fault proxy; see {@link startFaultProxy}. */
export interface FaultProxy {
  /** `http://localhost:<port>`: the origin a browser should use. */
  url: string;
  port: number;
  /** POSTs to the token path whose form body had `grant_type=refresh_token`, faulted or not. */
  readonly refreshCalls: number;
  /** The `refresh_token` value of each such call, in order (compare entries to prove none was sent twice). */
  readonly refreshBodies: string[];
  /** The `resource` (RFC 8707) of each such call, in order; `null` when it named none. */
  readonly refreshResources: (string | null)[];
  /** Faults still waiting for a refresh call. */
  readonly pendingFaults: number;
  /** Programs the next `n` refresh calls to fail as `kind`; `delayMs` (default 1000) applies to `delay`. */
  failNext(n: number, kind: FaultKind, delayMs?: number): void;
  /** Stops the proxy, dropping open connections. */
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];

/**
 * Starts an HTTP reverse proxy on `127.0.0.1:0` in front of `target` (e.g. `http://127.0.0.1:PORT`). Every request,
 * CORS preflights included, is forwarded unchanged, `Host` header too; only refresh grants at the token path are
 * counted and can be faulted with {@link FaultProxy.failNext}.
 *
 * Every response carries `Connection: close`, so a browser never reuses a socket to the proxy: Chromium silently
 * resends a request that fails on a reused keep-alive socket, which would turn one `reset` into two calls.
 */
export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const tokenPath = options.tokenPath ?? '/token';
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: false });
  const faults: { kind: FaultKind; delayMs: number }[] = [];
  const refreshBodies: string[] = [];
  const refreshResources: (string | null)[] = [];

  function forward(req: IncomingMessage, res: ServerResponse, body?: Buffer, loseResponse = false): void {
    const headers: IncomingHttpHeaders = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    if (body) headers['content-length'] = String(body.length);
    const outgoing = request(
      { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        if (loseResponse) {
          upstreamRes.resume();
          upstreamRes.once('end', () => req.socket.destroy());
          return;
        }
        const responseHeaders = { ...upstreamRes.headers };
        for (const name of HOP_BY_HOP) delete responseHeaders[name];
        res.writeHead(upstreamRes.statusCode ?? 502, { ...responseHeaders, connection: 'close' });
        upstreamRes.pipe(res);
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`fault proxy: upstream error ${error.message}`);
    });
    if (body) outgoing.end(body);
    else req.pipe(outgoing);
  }

  function answer503(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    res.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      vary: 'Origin',
      connection: 'close',
      ...(origin && { 'access-control-allow-origin': origin }),
    });
    res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'fault proxy: programmed 503' }));
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (req.method !== 'POST' || path !== tokenPath) {
      forward(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('grant_type') !== 'refresh_token') {
        forward(req, res, body);
        return;
      }
      refreshBodies.push(form.get('refresh_token') ?? '');
      refreshResources.push(form.get('resource'));
      const fault = faults.shift();
      switch (fault?.kind) {
        case undefined:
          forward(req, res, body);
          break;
        case '503':
          answer503(req, res);
          break;
        case 'reset':
          req.socket.destroy();
          break;
        case 'delay':
          setTimeout(() => forward(req, res, body), fault.delayMs);
          break;
        case 'lost-response':
          forward(req, res, body, true);
          break;
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://localhost:${port}`,
    port,
    get refreshCalls() {
      return refreshBodies.length;
    },
    refreshBodies,
    refreshResources,
    get pendingFaults() {
      return faults.length;
    },
    failNext(n, kind, delayMs = 1000) {
      for (let i = 0; i < n; i += 1) faults.push({ kind, delayMs });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      });
    },
  };
}

/** The browser-facing token endpoint through `proxy`: `http://localhost:<proxyPort>` plus the provider's token path. */
export function tokenEndpointVia(proxy: Pick<FaultProxy, 'url'>, server: { tokenEndpoint: string }): string {
  return `${proxy.url}${new URL(server.tokenEndpoint).pathname}`;
}
