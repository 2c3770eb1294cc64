import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the API saw of one run (one variant in one round), keyed by the `run` query parameter. */
export interface RunTally {
  /** Requests other than preflights. */
  requests: number;
  /** Of those, how many carried `Authorization: Bearer <the bench token>`. */
  withToken: number;
  /** How many carried `Authorization: DPoP <the bench token>` and a `DPoP` proof (the DPoP variant). */
  withDpop: number;
  /** How many carried any `authorization` header at all. */
  withAnyAuthorization: number;
  /** CORS preflights. */
  preflights: number;
}

/**
 * The API on a second origin (`http://api.test:<port>`, and the same server as the foreign origin
 * `http://other.test:<port>`): a small JSON answer, CORS for the app, preflights cacheable for
 * 10 minutes, responses never cached. Counts what arrived per run.
 */
export interface BenchApi {
  readonly port: number;
  origin(host: string): string;
  tally(run: string): RunTally;
  /** Every `Authorization` value received on `path`, in order. */
  authorizations(path: string): string[];
  /** POSTs to `/token` (the refresh endpoint of the timed runs: must stay 0). */
  readonly tokenCalls: number;
  close(): Promise<void>;
}

const BODY = JSON.stringify({ id: 42, name: 'bench item', tags: ['a', 'b', 'c'], updatedAt: '2026-01-01T00:00:00Z' });
/** Path of the large answer: a JSON list of 50 KB, what a page of results weighs. */
export const LARGE_PATH = '/v1/large';
export const LARGE_BYTES = 50 * 1024;
const LARGE = (() => {
  const items = [];
  for (let i = 0; JSON.stringify(items).length < LARGE_BYTES - 100; i++) items.push({ id: i, name: `bench item ${i}`, tags: ['a', 'b'], qty: i % 9 });
  return JSON.stringify(items);
})();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Starts the API; `token` is the access token variants A, B and C must attach. */
export async function startBenchApi(token: string): Promise<BenchApi> {
  const tallies = new Map<string, RunTally>();
  const authorizations = new Map<string, string[]>();
  let tokenCalls = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const origin = request.headers.origin;
    if (origin) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'origin');
    }
    const run = url.searchParams.get('run') ?? '';
    let tally = tallies.get(run);
    if (tally === undefined) {
      tally = { requests: 0, withToken: 0, withDpop: 0, withAnyAuthorization: 0, preflights: 0 };
      tallies.set(run, tally);
    }
    if (request.method === 'OPTIONS') {
      tally.preflights += 1;
      response.setHeader('access-control-allow-headers', 'authorization, dpop, x-api-token, content-type');
      response.setHeader('access-control-allow-methods', 'GET, POST');
      response.setHeader('access-control-max-age', '600');
      response.writeHead(204).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/token') {
      tokenCalls += 1;
      request.resume();
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"temporarily_unavailable"}');
      return;
    }
    const authorization = request.headers.authorization;
    tally.requests += 1;
    if (authorization !== undefined) {
      tally.withAnyAuthorization += 1;
      if (authorization === `Bearer ${token}`) tally.withToken += 1;
      if (authorization === `DPoP ${token}` && typeof request.headers.dpop === 'string') tally.withDpop += 1;
      const list = authorizations.get(url.pathname) ?? [];
      list.push(authorization);
      authorizations.set(url.pathname, list);
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(url.pathname === LARGE_PATH ? LARGE : BODY);
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  return {
    port,
    origin: (host) => `http://${host}:${port}`,
    tally: (run) => tallies.get(run) ?? { requests: 0, withToken: 0, withDpop: 0, withAnyAuthorization: 0, preflights: 0 },
    authorizations: (path) => authorizations.get(path) ?? [],
    get tokenCalls() {
      return tokenCalls;
    },
    close: closer(server),
  };
}

/** A file the app server serves. `body` may depend on the query string. */
export type AppFile = { type: string; body: (query: URLSearchParams) => string };

/** The app's own origin, `http://localhost:<port>` (a secure context over plain http). */
export interface BenchApp {
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `files` (path → file) from memory, never cached; 404 for anything else. */
export async function startBenchApp(files: ReadonlyMap<string, AppFile>): Promise<BenchApp> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const file = files.get(url.pathname);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body(url.searchParams));
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  return { origin: `http://localhost:${port}`, close: closer(server) };
}
