import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { TestWorkerConfig } from './sw-config.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The app's own origin: static files of a built app, plus the worker config of this run. */
export interface AppServer {
  readonly port: number;
  /** `http://localhost:<port>`: a secure context, so service workers work over plain http. */
  readonly origin: string;
  /** Replaces what `/sw-config.js` serves (takes effect when a worker is next installed). */
  setConfig(config: TestWorkerConfig): void;
  /** Extra headers on every HTML response (a Content-Security-Policy, say). */
  setPageHeaders(headers: Record<string, string>): void;
  /** Extra headers on every script response, the worker's included (the worker's own CSP). */
  setScriptHeaders(headers: Record<string, string>): void;
  /**
   * Serves other built files at some paths (path → file under the build root), as a deploy of
   * another release does: e.g. `{ '/sw.js': 'sw-protocol-2.js' }`. `{}` restores the build as it is.
   */
  setRoutes(routes: Record<string, string>): void;
  /** Answers these paths only after a delay in ms (a slow network for the worker script, say). `{}`: none. */
  setDelays(delays: Record<string, number>): void;
  /** Every request with its headers, oldest first (`requested` has the paths alone). */
  readonly received: Array<{ method: string; url: string; headers: Record<string, string> }>;
  /** Bodies POSTed to `/csp-report` (CSP `report-uri`), parsed, oldest first. */
  readonly cspReports: unknown[];
  /** Paths requested so far. */
  readonly requested: string[];
  close(): Promise<void>;
}

/**
 * Serves `root` on 127.0.0.1 as `http://localhost:<port>`.
 */
export async function startAppServer(root: string, config: TestWorkerConfig): Promise<AppServer> {
  let current = config;
  let pageHeaders: Record<string, string> = {};
  let scriptHeaders: Record<string, string> = {};
  let routes: Record<string, string> = {};
  let delays: Record<string, number> = {};
  const requested: string[] = [];
  const received: AppServer['received'] = [];
  const cspReports: unknown[] = [];
  const server = createServer((request, response) => {
    const delay = delays[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (delay !== undefined) setTimeout(() => handle(request, response), delay);
    else handle(request, response);
  });
  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requested.push(url.pathname);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = String(value);
    received.push({ method: request.method ?? 'GET', url: request.url ?? '/', headers });
    response.setHeader('cache-control', 'no-cache');
    if (url.pathname === '/csp-report' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          cspReports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          cspReports.push({ unparsable: Buffer.concat(chunks).toString('utf8') });
        }
        response.writeHead(204).end();
      });
      return;
    }
    if (url.pathname.endsWith('.js')) for (const [name, value] of Object.entries(scriptHeaders)) response.setHeader(name, value);
    if (url.pathname === '/sw-config.js') {
      response.writeHead(200, { 'content-type': TYPES['.js'] });
      response.end(`export default ${JSON.stringify(current)};\n`);
      return;
    }
    if (url.pathname === '/sw-config.classic.js') {
      // The same config for the classic worker, which loads it with importScripts().
      response.writeHead(200, { 'content-type': TYPES['.js'] });
      response.end(`self.bearerSwTestConfig = ${JSON.stringify(current)};\n`);
      return;
    }
    const relative = routes[url.pathname] ?? (url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, ''));
    const file = normalize(join(root, relative));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (type.startsWith('text/html')) for (const [name, value] of Object.entries(pageHeaders)) response.setHeader(name, value);
    response.writeHead(200, { 'content-type': type });
    createReadStream(file).pipe(response);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://localhost:${port}`,
    setConfig(next) {
      current = next;
    },
    setPageHeaders(headers) {
      pageHeaders = headers;
    },
    setScriptHeaders(headers) {
      scriptHeaders = headers;
    },
    setRoutes(next) {
      routes = next;
    },
    setDelays(next) {
      delays = next;
    },
    requested,
    received,
    cspReports,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
