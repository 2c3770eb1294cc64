import type { CompiledRule } from './api-rule.js';
import { attachToken, isRefusedRedirect } from './attach-token.js';
import type { TokenSession } from './token-session.js';

/** What {@link respondWithToken} needs from the worker. */
export interface FetchContext {
  session: TokenSession;
  log(message: string): void;
}

/**
 * Sends a matched request with the current access token (or as it is, when there is none) and
 * returns the response for `respondWith`.
 *
 * A redirect held back to protect a custom header (see `attachToken`) becomes a network error,
 * as the page would see from `redirect: 'error'`.
 *
 * @example
 * ```ts
 * event.respondWith(respondWithToken(event.request, rule, context))
 * ```
 */
export async function respondWithToken(request: Request, rule: CompiledRule, context: FetchContext): Promise<Response> {
  let token: string | null = null;
  try {
    token = await context.session.accessToken();
  } catch {
    // Storage failed: the request still goes out, without a token, rather than not at all.
    context.log(`sent ${request.url} without a token: the session could not be loaded`);
  }
  if (token === null) return fetch(request);
  const response = await fetch(attachToken(request, rule, token));
  if (isRefusedRedirect(request, response)) {
    context.log(`refused to follow a redirect from ${request.url}: header '${rule.header}' would follow it to any origin`);
    return Response.error();
  }
  return response;
}
