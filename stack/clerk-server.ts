import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { listenOnLoopback } from './listen-on-loopback.js';
import { createVendorJwtIssuer, type VendorVerification } from './vendor-jwt.js';
import { answerCors, FaultQueue, headersOf, readBody, sendJson, type VendorFault } from './vendor-http.js';

/** Options of {@link startClerkServer}. */
export interface ClerkServerOptions {
  /** The app's origin (on the same site as this Frontend API): the only one CORS answers. */
  appOrigin: string;
  /** Session-token lifetime, seconds. Default 60, as Clerk's. */
  tokenTtl?: number;
  /** JWT templates: name → extra claims (an `aud`, say). */
  templates?: Record<string, Record<string, unknown>>;
}

/** One token-minting call as the Frontend API received it. */
export interface ClerkTokenCall {
  sessionId: string;
  template: string | null;
  headers: Record<string, string>;
  /** Whether the request carried the `__client` cookie of a live client. */
  withClientCookie: boolean;
  /** The status answered (`0`: none, a `reset` fault). */
  status: number;
}

/** A running Clerk Frontend API; see {@link startClerkServer}. */
export interface ClerkServer {
  /** `http://localhost:<port>`: the `frontendApi` of `clerkSessionToken`. */
  url: string;
  /** Every `POST /v1/client/sessions/<id>/tokens[/<template>]`, oldest first. */
  readonly tokenCalls: ClerkTokenCall[];
  failNext(n: number, fault: VendorFault): void;
  /** Ends every session (a sign-out in another device, an admin revoke): minting answers 401. */
  signOutAll(): number;
  /** Verifies a session token as a backend does with jose (`azp` must be the app's origin). */
  verify(token: string): Promise<VendorVerification>;
  clear(): void;
  close(): Promise<void>;
}

/**
 * Starts a Clerk Frontend API on loopback, as `clerk/javascript` talks to it:
 *
 * - `POST /v1/client/sign_ins` (form `identifier`, `password`): sets the client cookie `__client`
 *   (HttpOnly, Secure, SameSite=Lax) and answers `{ response: { status: 'complete', created_session_id } }`.
 * - `POST /v1/client/sessions/<id>/tokens[/<template>]` (form-encoded): with the cookie of the
 *   client owning that live session, 200 `{ object: 'token', jwt }`; otherwise 401
 *   `{ errors: [{ code: 'signed_out' }] }`. Session tokens are ES256 JWTs with `sid`, `azp` and a
 *   short life; JWKS at `/.well-known/jwks.json`.
 * - CORS for the app's origin with credentials.
 */
export async function startClerkServer(options: ClerkServerOptions): Promise<ClerkServer> {
  const listening = await listenOnLoopback();
  const url = listening.origin;
  const ttl = options.tokenTtl ?? 60;
  const jwt = await createVendorJwtIssuer(url);
  const faults = new FaultQueue();
  const tokenCalls: ClerkTokenCall[] = [];
  /** client id → its sessions. */
  const clients = new Map<string, Set<string>>();
  const sessions = new Map<string, { userId: string; clientId: string; ended: boolean }>();

  function clientOf(request: IncomingMessage): string | null {
    const cookie = request.headers.cookie ?? '';
    const id = /(?:^|;\s*)__client=([^;]+)/.exec(cookie)?.[1];
    return id !== undefined && clients.has(id) ? id : null;
  }

  function signedOut(response: ServerResponse): void {
    sendJson(response, 401, { errors: [{ message: 'Signed out', long_message: 'You are signed out.', code: 'signed_out' }] });
  }

  async function signIn(request: IncomingMessage, response: ServerResponse, body: string): Promise<void> {
    const form = new URLSearchParams(body);
    const identifier = form.get('identifier');
    if (identifier === null || form.get('password') !== 'password') {
      sendJson(response, 422, { errors: [{ code: 'form_password_incorrect', message: 'Password is incorrect.' }] });
      return;
    }
    const clientId = clientOf(request) ?? `client_${randomBytes(12).toString('base64url')}`;
    const sessionId = `sess_${randomBytes(12).toString('base64url')}`;
    if (!clients.has(clientId)) clients.set(clientId, new Set());
    clients.get(clientId)?.add(sessionId);
    sessions.set(sessionId, { userId: `user_${identifier}`, clientId, ended: false });
    response.setHeader('set-cookie', `__client=${clientId}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=86400`);
    sendJson(response, 200, { response: { object: 'sign_in_attempt', status: 'complete', created_session_id: sessionId }, client: { id: clientId, sessions: [sessionId] } });
  }

  async function mint(request: IncomingMessage, response: ServerResponse, sessionId: string, template: string | null): Promise<void> {
    const clientId = clientOf(request);
    const call: ClerkTokenCall = { sessionId, template, headers: headersOf(request), withClientCookie: clientId !== null, status: 0 };
    tokenCalls.push(call);
    const fault = faults.take();
    if (fault === 'reset' || fault === 'lost-response') {
      request.socket.destroy();
      return;
    }
    if (typeof fault === 'object') {
      call.status = fault.status;
      sendJson(response, fault.status, { errors: [{ code: 'programmed_failure', message: 'programmed failure' }] });
      return;
    }
    const session = sessions.get(sessionId);
    if (clientId === null || session === undefined || session.clientId !== clientId || session.ended) {
      call.status = 401;
      signedOut(response);
      return;
    }
    const extra = template === null ? {} : options.templates?.[template];
    if (extra === undefined) {
      call.status = 404;
      sendJson(response, 404, { errors: [{ code: 'resource_not_found', message: 'JWT template not found' }] });
      return;
    }
    call.status = 200;
    sendJson(response, 200, { object: 'token', jwt: await jwt.sign({ sub: session.userId, sid: sessionId, azp: options.appOrigin, ...extra }, ttl) });
  }

  listening.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      if (answerCors(request, response, { allowedOrigin: options.appOrigin, allowHeaders: 'content-type' })) return;
      const body = await readBody(request);
      const path = new URL(request.url ?? '/', url).pathname;
      if (request.method === 'POST' && path === '/v1/client/sign_ins') return signIn(request, response, body);
      const token = /^\/v1\/client\/sessions\/([^/]+)\/tokens(?:\/([^/]+))?$/.exec(path);
      if (request.method === 'POST' && token !== null) return mint(request, response, decodeURIComponent(token[1] ?? ''), token[2] === undefined ? null : decodeURIComponent(token[2]));
      if (request.method === 'GET' && path === '/.well-known/jwks.json') return sendJson(response, 200, jwt.jwks);
      sendJson(response, 404, { errors: [{ code: 'resource_not_found', message: 'not found' }] });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { errors: [{ code: 'internal_clerk_error', message: String(error) }] });
    });
  });

  return {
    url,
    tokenCalls,
    failNext: (n, fault) => faults.failNext(n, fault),
    signOutAll() {
      let ended = 0;
      for (const session of sessions.values()) {
        if (!session.ended) ended += 1;
        session.ended = true;
      }
      return ended;
    },
    async verify(token) {
      const result = await jwt.verify(token);
      if (result.ok && result.claims.azp !== options.appOrigin) return { ok: false, error: 'azp is not the app origin' };
      return result;
    },
    clear() {
      tokenCalls.length = 0;
    },
    close: () => listening.close(),
  };
}
