import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { listenOnLoopback } from './listen-on-loopback.js';
import { createVendorJwtIssuer, type VendorVerification } from './vendor-jwt.js';
import { answerCors, FaultQueue, headersOf, readBody, sendJson, type VendorFault } from './vendor-http.js';

/** Options of {@link startSupabaseServer}. */
export interface SupabaseServerOptions {
  /** The app's origin: the only one CORS lets call the project. */
  appOrigin: string;
  /** The project's public key, checked in `apikey`. Default a publishable key `sb_publishable_…`. */
  apiKey?: string;
  /** Access-token lifetime (`expires_in`), seconds. Default 3600, as Supabase's default. */
  accessTokenTtl?: number;
  /** GoTrue's `RefreshTokenReuseInterval`, ms: a rotated token is accepted again this long. Default 10 000. */
  reuseIntervalMs?: number;
  /** The one user's password (any email signs in with it). Default `password`. */
  password?: string;
}

/** One refresh-grant call as the server received it. */
export interface SupabaseRefreshCall {
  headers: Record<string, string>;
  /** The `refresh_token` of the JSON body, or `null` when the body was not that JSON. */
  refreshToken: string | null;
  /** The status answered (`0`: no answer, a `reset` or `lost-response` fault). */
  status: number;
  /** The error code answered, if any. */
  code?: string;
  /** The refresh token the answer carried (also when the answer was then lost). */
  issued?: string;
}

/** One `/rest/v1` request as the server received it. */
export interface SupabaseRestRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The token of `Authorization: Bearer`, if any. */
  token: string | null;
  verification: VendorVerification | null;
  status: number;
}

/** A running Supabase test project; see {@link startSupabaseServer}. */
export interface SupabaseServer {
  /** `http://localhost:<port>`: the project URL given to `createClient` and `supabaseRefresh`. */
  url: string;
  apiKey: string;
  /** Every refresh grant, oldest first. */
  readonly refreshCalls: SupabaseRefreshCall[];
  /** Every `/rest/v1` request (preflights excluded), oldest first. */
  readonly restRequests: SupabaseRestRequest[];
  /** Password grants that succeeded. */
  readonly signIns: number;
  /** Programs the next `n` refresh grants to fail as `fault` (statuses answer GoTrue's error body). */
  failNext(n: number, fault: VendorFault): void;
  /** Signs a user in over HTTP as supabase-js does; returns GoTrue's session JSON. */
  signIn(email?: string): Promise<{ access_token: string; refresh_token: string; expires_in: number; expires_at: number; token_type: string; user: { id: string } }>;
  /** Ends every session (as a sign-out elsewhere or an admin does): their refresh tokens get `session_not_found`. */
  endAllSessions(): number;
  /** Revoked refresh tokens presented again outside the reuse interval (each revoked its whole session). */
  readonly reuseDetections: number;
  clear(): void;
  close(): Promise<void>;
}

interface RefreshTokenRecord {
  token: string;
  sessionId: string;
  parent: string | null;
  revoked: boolean;
  /** When it was revoked by a rotation (ms). */
  revokedAt: number;
  /** The token issued when this one was rotated. */
  child: string | null;
}

interface SessionRecord {
  id: string;
  userId: string;
  email: string;
  ended: boolean;
}

const API_VERSION = '2024-01-01';
const ALLOW_HEADERS = 'apikey, authorization, content-type, x-client-info, x-supabase-api-version, accept, accept-profile, content-profile, prefer, range';

/**
 * Starts a Supabase project's Auth (GoTrue) and REST endpoints on loopback, speaking GoTrue's
 * refresh protocol as `supabase/auth` does:
 *
 * - `POST /auth/v1/token?grant_type=password|refresh_token`, JSON bodies, `apikey` required (401
 *   without). Every header is recorded, so a test can check what went as `Authorization`.
 * - Rotation on every refresh; the parent of the active token is accepted again within the reuse
 *   interval and answers the active token; a revoked token outside it answers
 *   `refresh_token_already_used` and revokes its session.
 * - Errors: 400 with `{ code, message }` and the `X-Supabase-Api-Version` response header when the
 *   request sent that header, else `{ code: 400, error_code, msg }`.
 * - `/rest/v1/<table>` answers rows only with `apikey` and a valid user JWT (ES256, `aud`
 *   `authenticated`), verified with jose; 401 `PGRST301`/`PGRST303` otherwise.
 */
export async function startSupabaseServer(options: SupabaseServerOptions): Promise<SupabaseServer> {
  const listening = await listenOnLoopback();
  const url = listening.origin;
  const apiKey = options.apiKey ?? `sb_publishable_${randomBytes(12).toString('base64url')}`;
  const ttl = options.accessTokenTtl ?? 3600;
  const reuseIntervalMs = options.reuseIntervalMs ?? 10_000;
  const password = options.password ?? 'password';
  const jwt = await createVendorJwtIssuer(`${url}/auth/v1`);
  const faults = new FaultQueue();
  const refreshCalls: SupabaseRefreshCall[] = [];
  const restRequests: SupabaseRestRequest[] = [];
  const tokens = new Map<string, RefreshTokenRecord>();
  const sessions = new Map<string, SessionRecord>();
  let signIns = 0;
  let reuseDetections = 0;

  function newRefreshToken(sessionId: string, parent: string | null): RefreshTokenRecord {
    const record: RefreshTokenRecord = { token: randomBytes(9).toString('base64url'), sessionId, parent, revoked: false, revokedAt: 0, child: null };
    tokens.set(record.token, record);
    return record;
  }

  async function sessionJson(session: SessionRecord, refresh: RefreshTokenRecord) {
    const accessToken = await jwt.sign({ sub: session.userId, aud: 'authenticated', role: 'authenticated', email: session.email, session_id: session.id }, ttl);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ttl,
      expires_at: Math.floor(Date.now() / 1000) + ttl,
      refresh_token: refresh.token,
      user: { id: session.userId, aud: 'authenticated', role: 'authenticated', email: session.email },
    };
  }

  function authError(request: IncomingMessage, response: ServerResponse, status: number, code: string, message: string): void {
    if (request.headers['x-supabase-api-version'] !== undefined) {
      sendJson(response, status, { code, message }, { 'x-supabase-api-version': API_VERSION });
    } else {
      sendJson(response, status, { code: status, error_code: code, msg: message });
    }
  }

  /** The gateway's key check: 401 without the project's key. */
  function keyRefused(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.headers.apikey === apiKey) return false;
    sendJson(response, 401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    return true;
  }

  async function refreshGrant(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    let presented: string | null = null;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { refresh_token?: unknown }).refresh_token === 'string') {
        presented = (parsed as { refresh_token: string }).refresh_token;
      }
    } catch {
      presented = null;
    }
    const call: SupabaseRefreshCall = { headers: headersOf(request), refreshToken: presented, status: 0 };
    refreshCalls.push(call);
    const fail = (status: number, code: string, message: string) => {
      call.status = status;
      call.code = code;
      authError(request, response, status, code, message);
    };
    if (keyRefused(request, response)) {
      call.status = 401;
      return;
    }
    const fault = faults.take();
    if (fault === 'reset') {
      request.socket.destroy();
      return;
    }
    if (typeof fault === 'object') {
      const code = fault.status === 409 ? 'conflict' : fault.status === 429 ? 'over_request_rate_limit' : 'unexpected_failure';
      fail(fault.status, code, 'programmed failure');
      return;
    }
    if (presented === null) return fail(400, 'validation_failed', 'refresh_token required');
    const record = tokens.get(presented);
    if (record === undefined) return fail(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    const session = sessions.get(record.sessionId);
    if (session === undefined || session.ended) return fail(400, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    let next: RefreshTokenRecord;
    if (record.revoked) {
      const active = record.child === null ? undefined : tokens.get(record.child);
      if (active !== undefined && !active.revoked && Date.now() - record.revokedAt <= reuseIntervalMs) {
        next = active; // the parent of the active token, within the reuse interval: the active one again
      } else {
        reuseDetections += 1;
        session.ended = true;
        return fail(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
      }
    } else {
      record.revoked = true;
      record.revokedAt = Date.now();
      next = newRefreshToken(session.id, record.token);
      record.child = next.token;
    }
    const answer = await sessionJson(session, next);
    call.issued = next.token;
    if (fault === 'lost-response') {
      request.socket.destroy();
      return;
    }
    call.status = 200;
    sendJson(response, 200, answer);
  }

  async function passwordGrant(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    if (keyRefused(request, response)) return;
    let email = '';
    let given = '';
    try {
      const parsed = JSON.parse(body) as { email?: unknown; password?: unknown };
      email = typeof parsed.email === 'string' ? parsed.email : '';
      given = typeof parsed.password === 'string' ? parsed.password : '';
    } catch {
      // answered below
    }
    if (email === '' || given !== password) return authError(request, response, 400, 'invalid_credentials', 'Invalid login credentials');
    const session: SessionRecord = { id: randomUUID(), userId: `user-${email}`, email, ended: false };
    sessions.set(session.id, session);
    signIns += 1;
    sendJson(response, 200, await sessionJson(session, newRefreshToken(session.id, null)));
  }

  async function rest(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const headers = headersOf(request);
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? null;
    const record: SupabaseRestRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers, token: bearer, verification: null, status: 0 };
    restRequests.push(record);
    const answer = (status: number, body: unknown) => {
      record.status = status;
      sendJson(response, status, body);
    };
    if (headers.apikey !== apiKey) return answer(401, { message: 'Invalid API key' });
    if (bearer === null) return answer(401, { code: 'PGRST301', message: 'No suitable key or wrong key type' });
    record.verification = await jwt.verify(bearer, 'authenticated');
    if (!record.verification.ok) {
      const expired = /"exp" claim timestamp check failed/.test(record.verification.error);
      return answer(401, { code: expired ? 'PGRST303' : 'PGRST301', message: expired ? 'JWT expired' : record.verification.error });
    }
    const session = sessions.get(String(record.verification.claims.session_id));
    answer(200, [{ id: 1, table: path.slice('/rest/v1/'.length), owner: record.verification.sub, session_ended: session?.ended ?? true }]);
  }

  listening.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (answerCors(request, response, { allowedOrigin: options.appOrigin, allowHeaders: ALLOW_HEADERS, exposeHeaders: 'x-supabase-api-version, content-range' })) return;
      const body = await readBody(request);
      const target = new URL(request.url ?? '/', url);
      if (request.method === 'POST' && target.pathname === '/auth/v1/token') {
        const grant = target.searchParams.get('grant_type');
        if (grant === 'refresh_token') return refreshGrant(request, response, body);
        if (grant === 'password') return passwordGrant(request, response, body);
        return authError(request, response, 400, 'validation_failed', 'unsupported_grant_type');
      }
      if (request.method === 'GET' && target.pathname === '/auth/v1/.well-known/jwks.json') return sendJson(response, 200, jwt.jwks);
      if (target.pathname.startsWith('/rest/v1/')) return rest(request, response, target.pathname);
      sendJson(response, 404, { message: 'not found' });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { code: 'unexpected_failure', message: String(error) });
    });
  });

  return {
    url,
    apiKey,
    refreshCalls,
    restRequests,
    get signIns() {
      return signIns;
    },
    get reuseDetections() {
      return reuseDetections;
    },
    failNext: (n, fault) => faults.failNext(n, fault),
    async signIn(email = 'ada@example.com') {
      const response = await fetch(`${url.replace('localhost', '127.0.0.1')}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: apiKey, 'content-type': 'application/json', 'x-supabase-api-version': API_VERSION },
        body: JSON.stringify({ email, password }),
      });
      if (!response.ok) throw new Error(`Failed to sign in at the Supabase test server: ${response.status}`);
      return (await response.json()) as Awaited<ReturnType<SupabaseServer['signIn']>>;
    },
    endAllSessions() {
      let ended = 0;
      for (const session of sessions.values()) {
        if (!session.ended) ended += 1;
        session.ended = true;
      }
      return ended;
    },
    clear() {
      refreshCalls.length = 0;
      restRequests.length = 0;
    },
    close: () => listening.close(),
  };
}
