import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import type { ApiVerifier } from '../../../stack/api-verifier.js';

/** What an API concluded about the token of one request. The token value itself is never kept. */
export type SeenToken =
  | { verified: true; jti: string; sub: string; exp: number; scheme: string | null; jkt: string | null }
  | { verified: false; error: string };

/** One request as an API received it (CORS preflights are not recorded). */
export interface ApiRecord {
  /** Order of arrival, from 1. */
  seq: number;
  /** `Date.now()` on arrival. */
  at: number;
  method: string;
  /** Path without the query. */
  path: string;
  /** The `tab` query parameter the demo SPA adds to say which tab sent it. */
  tab: string | null;
  /** `null` when no access token arrived. */
  token: SeenToken | null;
  status: number;
}

/** The JSON body every API answer carries, so the page can show what the server saw. */
export interface ApiAnswer {
  api: string;
  path: string;
  token: SeenToken | null;
}

/** Options of {@link createDemoApi}. */
export interface DemoApiOptions {
  /** Shown in answers: `api` or `third-party`. */
  name: string;
  /** The only origin CORS lets read the answers. */
  appOrigin: string;
  /** Checks the request's access token (and DPoP proof) against the provider's keys: `bearer-sw/server`. */
  verifier: ApiVerifier;
  /** Answer 401 under `/v1` when the request has no valid token (the API); otherwise always 200 (the third party). */
  requireToken: boolean;
}

/** A demo API: its request handler and what it recorded. */
export interface DemoApi {
  readonly handler: RequestListener;
  /** Everything received so far, oldest first. */
  readonly records: readonly ApiRecord[];
}

function setCors(response: ServerResponse, request: IncomingMessage, appOrigin: string): void {
  if (request.headers.origin !== appOrigin) return;
  response.setHeader('access-control-allow-origin', appOrigin);
  response.setHeader('vary', 'Origin');
  // `authorization` must be named: a `*` never covers it (Fetch standard, CORS-safelisted headers).
  response.setHeader('access-control-allow-headers', 'authorization, dpop, content-type');
  response.setHeader('access-control-allow-methods', 'GET, POST');
}

/**
 * Creates an API that verifies every access token it receives (`bearer-sw/server`, against the provider's JWKS) and
 * records what it saw: the token's `jti`, `sub` and `exp`, or why it was refused — never the token itself.
 */
export function createDemoApi(options: DemoApiOptions): DemoApi {
  const records: ApiRecord[] = [];
  async function answer(request: IncomingMessage, response: ServerResponse, record: ApiRecord, path: string): Promise<void> {
    const result = await options.verifier.verifyIncoming(request);
    if (result.ok) record.token = { verified: true, jti: result.jti, sub: result.sub, exp: result.exp, scheme: result.scheme, jkt: result.jkt };
    else if (result.code !== 'missing-token') record.token = { verified: false, error: result.error };
    const refusal = options.requireToken && path.startsWith('/v1') && !result.ok ? result.challenge : null;
    record.status = refusal?.status ?? 200;
    const body: ApiAnswer = { api: options.name, path, token: record.token };
    // The refusal's headers: WWW-Authenticate (and DPoP-Nonce), exposed to the app's origin.
    response.writeHead(record.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...refusal?.headers });
    response.end(JSON.stringify(body));
  }

  const handler: RequestListener = (request, response) => {
    setCors(response, request, options.appOrigin);
    if (request.method === 'OPTIONS') {
      response.writeHead(204).end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://api');
    const record: ApiRecord = {
      seq: records.length + 1,
      at: Date.now(),
      method: request.method ?? 'GET',
      path: url.pathname,
      tab: url.searchParams.get('tab'),
      token: null,
      status: 0,
    };
    records.push(record);
    void answer(request, response, record, url.pathname).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  };
  return { handler, records };
}
