import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { listenOnLoopback } from './listen-on-loopback.js';
import { createVendorJwtIssuer, type VendorVerification } from './vendor-jwt.js';
import { answerCors, FaultQueue, headersOf, readBody, sendJson, type VendorFault } from './vendor-http.js';

/** Options of {@link startStackAuthServer}. */
export interface StackAuthServerOptions {
  appOrigin: string;
  /** Access-token lifetime, seconds (only in the JWT's `exp`: Stack answers no `expires_in`). Default 600. */
  accessTokenTtl?: number;
}

/** One refresh call as the server received it. */
export interface StackRefreshCall {
  headers: Record<string, string>;
  /** The status answered (`0`: none, a `reset` fault). */
  status: number;
  /** The known error answered, if any. */
  knownError?: string;
}

/** A running Stack Auth test API; see {@link startStackAuthServer}. */
export interface StackAuthServer {
  /** `http://localhost:<port>`: the `baseUrl` of `stackAuthRefresh`. */
  url: string;
  projectId: string;
  publishableClientKey: string;
  /** Every call to `/api/v1/auth/sessions/current/refresh`, oldest first. */
  readonly refreshCalls: StackRefreshCall[];
  /** Programs the next `n` refresh calls to fail as `fault`. */
  failNext(n: number, fault: VendorFault): void;
  /** Signs a user in with a password over HTTP (`/api/v1/auth/password/sign-in`). */
  signIn(email?: string): Promise<{ access_token: string; refresh_token: string; user_id: string }>;
  /** Revokes every session: their refresh tokens get `REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED`. */
  revokeAllSessions(): number;
  /** Verifies an access token as a backend does with jose against the project's JWKS (`aud` = project id). */
  verify(token: string): Promise<VendorVerification>;
  clear(): void;
  close(): Promise<void>;
}

const ALLOW_HEADERS = [
  'content-type', 'x-stack-access-type', 'x-stack-project-id', 'x-stack-publishable-client-key', 'x-stack-refresh-token',
  'x-stack-access-token', 'x-stack-client-version', 'x-stack-override-error-status', 'x-stack-random-nonce',
].join(', ');

/**
 * Starts a Stack Auth API on loopback that speaks its client REST protocol as `stack-auth/stack-auth` does:
 *
 * - `POST /api/v1/auth/sessions/current/refresh` with `x-stack-refresh-token`, `x-stack-project-id`,
 *   `x-stack-access-type: client`, `x-stack-publishable-client-key`: 200 `{ access_token }` only,
 *   the refresh token is not rotated.
 * - Known errors: status, `{ code, error }` body and an `x-stack-known-error` header
 *   (`REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED` 401, `INVALID_PUBLISHABLE_CLIENT_KEY` 401,
 *   `PROJECT_NOT_FOUND` 404, `SCHEMA_ERROR` 400). With `x-stack-override-error-status: true` an
 *   error comes as 200 with `x-stack-actual-status`, as Stack does.
 * - Access tokens: ES256 JWTs, `iss` `<url>/api/v1/projects/<id>`, `aud` the project id, JWKS at
 *   `/api/v1/projects/<id>/.well-known/jwks.json`.
 */
export async function startStackAuthServer(options: StackAuthServerOptions): Promise<StackAuthServer> {
  const listening = await listenOnLoopback();
  const url = listening.origin;
  const projectId = `proj-${randomBytes(4).toString('hex')}`;
  const publishableClientKey = `pck_${randomBytes(12).toString('base64url')}`;
  const ttl = options.accessTokenTtl ?? 600;
  const jwt = await createVendorJwtIssuer(`${url}/api/v1/projects/${projectId}`);
  const faults = new FaultQueue();
  const refreshCalls: StackRefreshCall[] = [];
  const sessions = new Map<string, { userId: string; revoked: boolean }>();

  function knownError(request: IncomingMessage, response: ServerResponse, status: number, code: string, message: string): void {
    const override = request.headers['x-stack-override-error-status'] === 'true';
    sendJson(response, override ? 200 : status, { code, error: message }, {
      'x-stack-known-error': code,
      ...(override ? { 'x-stack-actual-status': String(status) } : {}),
    });
  }

  /** The client access check every client request goes through; answers and returns `false` when refused. */
  function clientAllowed(request: IncomingMessage, fail: (status: number, code: string, message: string) => void): boolean {
    if (request.headers['x-stack-access-type'] !== 'client') {
      fail(400, 'SCHEMA_ERROR', 'x-stack-access-type must be client');
      return false;
    }
    if (request.headers['x-stack-project-id'] !== projectId) {
      fail(404, 'PROJECT_NOT_FOUND', 'Project not found or is not accessible with the current credentials.');
      return false;
    }
    if (request.headers['x-stack-publishable-client-key'] !== publishableClientKey) {
      fail(401, 'INVALID_PUBLISHABLE_CLIENT_KEY', 'The publishable key is not valid for the project.');
      return false;
    }
    return true;
  }

  async function refresh(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const call: StackRefreshCall = { headers: headersOf(request), status: 0 };
    refreshCalls.push(call);
    const fail = (status: number, code: string, message: string) => {
      call.status = request.headers['x-stack-override-error-status'] === 'true' ? 200 : status;
      call.knownError = code;
      knownError(request, response, status, code, message);
    };
    if (!clientAllowed(request, fail)) return;
    const fault = faults.take();
    if (fault === 'reset' || fault === 'lost-response') {
      request.socket.destroy();
      return;
    }
    if (typeof fault === 'object') {
      call.status = fault.status;
      sendJson(response, fault.status, { error: 'programmed failure' });
      return;
    }
    const refreshToken = request.headers['x-stack-refresh-token'];
    if (typeof refreshToken !== 'string') return fail(400, 'SCHEMA_ERROR', 'x-stack-refresh-token is required');
    const session = sessions.get(refreshToken);
    if (session === undefined || session.revoked) {
      return fail(401, 'REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED', 'Refresh token not found for this project, or the session has expired/been revoked.');
    }
    call.status = 200;
    sendJson(response, 200, { access_token: await jwt.sign({ sub: session.userId, aud: projectId, project_id: projectId }, ttl) });
  }

  async function signIn(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const fail = (status: number, code: string, message: string) => knownError(request, response, status, code, message);
    if (!clientAllowed(request, fail)) return;
    const { email } = JSON.parse(body) as { email?: string };
    const userId = `user-${email ?? 'unknown'}`;
    const refreshToken = randomBytes(18).toString('base64url');
    sessions.set(refreshToken, { userId, revoked: false });
    sendJson(response, 200, { access_token: await jwt.sign({ sub: userId, aud: projectId, project_id: projectId }, ttl), refresh_token: refreshToken, user_id: userId });
  }

  listening.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (answerCors(request, response, { allowedOrigin: options.appOrigin, allowHeaders: ALLOW_HEADERS, exposeHeaders: 'x-stack-known-error, x-stack-actual-status' })) return;
      const body = await readBody(request);
      const path = new URL(request.url ?? '/', url).pathname;
      if (request.method === 'POST' && path === '/api/v1/auth/sessions/current/refresh') return refresh(request, response);
      if (request.method === 'POST' && path === '/api/v1/auth/password/sign-in') return signIn(request, response, body);
      if (request.method === 'GET' && path === `/api/v1/projects/${projectId}/.well-known/jwks.json`) return sendJson(response, 200, jwt.jwks);
      sendJson(response, 404, { error: 'not found' });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
    });
  });

  return {
    url,
    projectId,
    publishableClientKey,
    refreshCalls,
    failNext: (n, fault) => faults.failNext(n, fault),
    async signIn(email = 'ada@example.com') {
      const response = await fetch(`${url.replace('localhost', '127.0.0.1')}/api/v1/auth/password/sign-in`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-stack-access-type': 'client',
          'x-stack-project-id': projectId,
          'x-stack-publishable-client-key': publishableClientKey,
        },
        body: JSON.stringify({ email, password: 'password' }),
      });
      if (!response.ok) throw new Error(`Failed to sign in at the Stack Auth test server: ${response.status}`);
      return (await response.json()) as Awaited<ReturnType<StackAuthServer['signIn']>>;
    },
    revokeAllSessions() {
      let revoked = 0;
      for (const session of sessions.values()) {
        if (!session.revoked) revoked += 1;
        session.revoked = true;
      }
      return revoked;
    },
    verify: (token) => jwt.verify(token, projectId),
    clear() {
      refreshCalls.length = 0;
    },
    close: () => listening.close(),
  };
}
