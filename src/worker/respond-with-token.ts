import type { CompiledRule } from './api-rule.js';
import { attachToken, isRefusedRedirect } from './attach-token.js';
import { requestLine } from './debug-log.js';
import type { TokenSession } from './token-session.js';
import { msg } from '../shared/message.js';

/** What {@link respondWithToken} needs from the worker. */
export interface FetchContext {
  session: Pick<TokenSession, 'accessToken' | 'accessTokenAfterUnauthorized'>;
  /** Whether a 401 can be answered with a refresh and one retry (a refresh function exists). */
  canRetry: boolean;
  /** The debug log; absent when `debug` is off, so no line is even built. */
  log?: ((message: string) => void) | undefined;
}

/**
 * The body of a request that may have to be sent twice (a 401, a refresh, one retry), read once
 * before the first send: both sends get the same bytes, and no body stream is teed. `undefined`
 * when there is no body (GET, HEAD, or none given; `Request.body` is `null` then, where the browser
 * has that getter), so the request itself can be sent again; `null` when the body cannot be read
 * (already used or locked): no retry then.
 */
export async function readBody(request: Request): Promise<ArrayBuffer | null | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD' || request.body === null) return undefined;
  try {
    return await request.arrayBuffer();
  } catch {
    return null;
  }
}

export async function send(request: Request, rule: CompiledRule, token: string, body?: ArrayBuffer): Promise<Response> {
  const response = await fetch(attachToken(request, rule, token, body));
  if (isRefusedRedirect(request, response)) {
    // Always said, not only with `debug`: the page itself only sees "Failed to fetch".
    const { origin, pathname } = new URL(request.url);
    console.warn(msg`[bearer-sw] redirect-refused: ${origin}${pathname} answered with a redirect, not followed: browsers keep header '${rule.header}' across origins (see SECURITY.md)`);
    return Response.error();
  }
  return response;
}

/**
 * Sends a matched request with the current access token (or as it is, when there is none) and
 * returns the response for `respondWith`.
 *
 * A 401 for a request that carried the token is answered once: refresh (sharing the single
 * flight) and retry with the new token, replaying the body. A second 401 goes to the page as it
 * is; it does not end the session by itself.
 *
 * @example
 * ```ts
 * event.respondWith(respondWithToken(event.request, rule, context))
 * ```
 */
export async function respondWithToken(request: Request, rule: CompiledRule, context: FetchContext): Promise<Response> {
  const { log } = context;
  let token: string | null = null;
  try {
    token = await context.session.accessToken(rule.target ?? undefined);
  } catch {
    // Storage failed: the request still goes out, without a token, rather than not at all.
  }
  if (token === null) {
    log?.(requestLine(request, 'passed: no session', rule));
    return fetch(request);
  }
  // Without a refresh function there is no retry, so the body streams through untouched.
  const body = context.canRetry ? await readBody(request) : null;
  const response = await send(request, rule, token, body ?? undefined);
  const fresh = response.status === 401 && body !== null ? await context.session.accessTokenAfterUnauthorized(token, rule.target ?? undefined).catch(() => null) : null;
  if (fresh === null) {
    // Response.error() is what `send` makes of a held-back redirect (a network failure throws instead).
    log?.(requestLine(request, response.type === 'error' ? 'redirect refused' : 'attached', rule));
    return response;
  }
  void response.body?.cancel().catch(() => undefined);
  const retried = await send(request, rule, fresh, body ?? undefined);
  log?.(requestLine(request, `retried after 401${retried.type === 'error' ? ', redirect refused' : ''}`, rule));
  return retried;
}
