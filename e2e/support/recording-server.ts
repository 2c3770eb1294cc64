import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyTestToken, type Verification } from './tokens.js';

/** Headers a token may travel in, across every rule style the tests use. */
export const TOKEN_HEADERS = ['authorization', 'x-api-token', 'x-supabase-auth', 'x-stack-access-token'];

/** One request as the server received it. */
export interface ReceivedRequest {
  /** Host header: `api.test:1234`. */
  host: string;
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The token found in a token header (scheme stripped), if any. */
  token: string | null;
  /** The scheme it came with (`Bearer`, `DPoP`), `null` for a bare token. */
  tokenScheme: string | null;
  /** Which header carried it. */
  tokenHeader: string | null;
  verification: Verification | null;
  /** For `/slow` requests: whether the client went away before the answer. */
  abandoned?: boolean;
}

/** Where a token was found: what a verifier needs besides the token to check the request as the API would. */
export interface TokenContext {
  /** The request as the server received it. */
  message: IncomingMessage;
  /** The header that carried the token, and whether its value starts with a scheme. */
  header: { name: string; scheme: boolean };
}

/** Options of {@link startRecordingServer}. */
export interface RecordingServerOptions {
  /** How tokens are verified; default: the test HS256 key. */
  verify?: (token: string, context: TokenContext) => Promise<Verification>;
  /** Answer 401 to a request under `/v1` whose token is missing or fails verification (like a real API). */
  requireToken?: boolean;
}

/** An HTTP server on loopback that answers every host name and records every request. */
export interface RecordingServer {
  readonly port: number;
  /** `http://<host>:<port>`. */
  origin(host?: string): string;
  /** Everything received so far, preflights included, oldest first. */
  readonly received: ReceivedRequest[];
  /** Requests other than CORS preflights. */
  requests(filter?: (r: ReceivedRequest) => boolean): ReceivedRequest[];
  /** Every request in which any header value contains one of `secrets`. */
  leaks(secrets: readonly string[]): ReceivedRequest[];
  clear(): void;
  close(): Promise<void>;
}

const ALLOWED_HEADERS = [...TOKEN_HEADERS, 'dpop', 'apikey', 'content-type', 'x-trace'].join(', ');
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
  'base64',
);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function cors(request: IncomingMessage, response: ServerResponse): void {
  // `?cors=none`: no CORS headers at all; `?cors=star`: `*` without credentials (an API that
  // never thought about credentialed requests). Anything else: the origin, with credentials.
  const mode = new URL(request.url ?? '/', 'http://x').searchParams.get('cors');
  if (mode === 'none') return;
  if (mode === 'star') {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    return;
  }
  const origin = request.headers.origin;
  if (origin) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-allow-credentials', 'true');
    response.setHeader('vary', 'origin');
  }
  // `authorization` must be named: the `*` wildcard never covers it (Fetch, CORS-safelisted).
  response.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
  response.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
  response.setHeader('access-control-expose-headers', 'x-received-token, www-authenticate, dpop-nonce');
}

function findToken(headers: Record<string, string>): { token: string; header: string; scheme: string | null } | null {
  for (const header of TOKEN_HEADERS) {
    const value = headers[header];
    if (value === undefined) continue;
    const scheme = /^(Bearer|DPoP) /i.exec(value)?.[1] ?? null;
    return { token: scheme === null ? value : value.slice(scheme.length + 1), header, scheme };
  }
  return null;
}

/**
 * Starts a recording API on 127.0.0.1. Reached through Chromium's host-resolver rules as
 * `http://api.test:<port>` (or any other `.test` name, which it records as the Host).
 *
 * Every route answers CORS for the requesting origin with credentials; `?cors=none` and
 * `?cors=star` change that (see `cors`).
 *
 * Routes: `/redirect?to=URL` answers 302 (or `&status=`) to URL; `/status/<code>` answers that status; `/slow` answers after 3 s;
 * `*.png` an image, `*.js` a script; anything else JSON describing what arrived.
 */
export async function startRecordingServer(options: RecordingServerOptions = {}): Promise<RecordingServer> {
  const verify = options.verify ?? verifyTestToken;
  const received: ReceivedRequest[] = [];
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const found = findToken(headers);
    const record: ReceivedRequest = {
      host: headers.host ?? '',
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers,
      body,
      token: found?.token ?? null,
      tokenScheme: found?.scheme ?? null,
      tokenHeader: found?.header ?? null,
      verification: found ? await verify(found.token, { message: request, header: { name: found.header, scheme: found.scheme !== null } }) : null,
    };
    received.push(record);
    cors(request, response);
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    const url = new URL(record.url, 'http://x');
    response.setHeader('cache-control', 'no-store');
    if (url.pathname.endsWith('/redirect')) {
      response.writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    if (url.pathname.endsWith('/slow')) {
      // Answers after 3 s, unless the client hangs up first (an aborted fetch).
      record.abandoned = false;
      const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('slow'), 3000);
      response.on('close', () => {
        if (!response.writableEnded) record.abandoned = true;
        clearTimeout(timer);
      });
      return;
    }
    const status = /\/status\/(\d{3})$/.exec(url.pathname);
    if (url.pathname.endsWith('.png')) {
      response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      return;
    }
    if (url.pathname.endsWith('.js')) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end('window.__scriptLoaded = (window.__scriptLoaded || 0) + 1;');
      return;
    }
    const refused = options.requireToken === true && url.pathname.startsWith('/v1') && record.verification?.ok !== true;
    // A verifier's own answer when it gave one (bearer-sw/server: the challenge, a DPoP-Nonce), else a plain Bearer one.
    const challenge = record.verification?.ok === false ? record.verification.challenge : undefined;
    if (refused) {
      response.setHeader('www-authenticate', challenge?.headers['www-authenticate'] ?? 'Bearer error="invalid_token"');
      const nonce = challenge?.headers['dpop-nonce'];
      if (nonce !== undefined) response.setHeader('dpop-nonce', nonce);
    }
    response.writeHead(refused ? (challenge?.status ?? 401) : status ? Number(status[1]) : 200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        method: record.method,
        url: record.url,
        tokenHeader: record.tokenHeader,
        verified: record.verification?.ok ?? false,
        sub: record.verification?.ok ? record.verification.sub : null,
        jti: record.verification?.ok ? record.verification.jti : null,
        body,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: (host = 'api.test') => `http://${host}:${port}`,
    received,
    requests: (filter = () => true) => received.filter((r) => r.method !== 'OPTIONS' && filter(r)),
    leaks: (secrets) => received.filter((r) => Object.values(r.headers).some((value) => secrets.some((s) => value.includes(s)))),
    clear: () => {
      received.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
