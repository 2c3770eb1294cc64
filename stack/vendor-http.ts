import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Failures a vendor test server can be told to answer its next refresh calls with:
 * an HTTP status (answered with that vendor's error body, never processed), `reset` (socket
 * destroyed, never processed), or `lost-response` (processed — a rotating server rotates — then
 * the socket is destroyed instead of answering).
 */
export type VendorFault = { status: number } | 'reset' | 'lost-response';

/** A queue of programmed faults, taken one per refresh call. */
export class FaultQueue {
  readonly #faults: VendorFault[] = [];

  /** Programs the next `n` refresh calls to fail as `fault`. */
  failNext(n: number, fault: VendorFault): void {
    for (let i = 0; i < n; i += 1) this.#faults.push(fault);
  }

  /** The fault for this call, if one was programmed. */
  take(): VendorFault | undefined {
    return this.#faults.shift();
  }

  get pending(): number {
    return this.#faults.length;
  }
}

/** Reads a request body as UTF-8. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A request's headers as one string each. */
export function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/**
 * Answers CORS for `allowedOrigin` only, with credentials, as a vendor configured for the app
 * does. Returns `true` when the request was a preflight, now answered.
 */
export function answerCors(
  request: IncomingMessage,
  response: ServerResponse,
  options: { allowedOrigin: string; allowHeaders: string; exposeHeaders?: string },
): boolean {
  if (request.headers.origin === options.allowedOrigin) {
    response.setHeader('access-control-allow-origin', options.allowedOrigin);
    response.setHeader('access-control-allow-credentials', 'true');
    if (options.exposeHeaders !== undefined) response.setHeader('access-control-expose-headers', options.exposeHeaders);
  }
  response.setHeader('vary', 'origin');
  if (request.method !== 'OPTIONS') return false;
  if (request.headers.origin === options.allowedOrigin) {
    response.setHeader('access-control-allow-headers', options.allowHeaders);
    response.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
    response.setHeader('access-control-max-age', '600');
  }
  response.writeHead(204, { connection: 'close' }).end();
  return true;
}

/**
 * Sends a JSON answer. `Connection: close` on every answer, so a browser never reuses a socket:
 * Chromium silently resends a request that fails on a reused keep-alive socket, which would turn
 * one programmed `reset` or `lost-response` into two calls.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', connection: 'close', ...headers });
  response.end(JSON.stringify(body));
}
