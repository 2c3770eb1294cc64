import { requestLine } from '../debug-log.js';
import type { CompiledRule } from '../api-rule.js';
import { attachToken, isRefusedRedirect } from '../attach-token.js';
import { readBody, respondWithToken, type FetchContext } from '../respond-with-token.js';
import type { TokenSession } from '../token-session.js';
import { createDpopProof } from './create-dpop-proof.js';
import type { DpopNonceMemory } from './dpop-nonce-memory.js';
import { isDpopNonceChallenge } from './is-dpop-nonce-challenge.js';

/** What {@link respondWithDpop} needs besides the core's fetch context. */
export interface DpopFetchContext extends FetchContext {
  session: Pick<TokenSession, 'current' | 'accessToken' | 'accessTokenAfterUnauthorized'>;
  /** The latest `DPoP-Nonce` of each origin, shared with the token endpoint's requests. */
  nonces: DpopNonceMemory;
}

/**
 * The key the session's tokens are bound to, if `token` is still one of the session's access tokens
 * (the default one or a resource's: every token of a session is bound to its one key).
 */
function keyFor(session: DpopFetchContext['session'], token: string): CryptoKeyPair | undefined {
  const tokens = session.current?.tokens;
  if (tokens?.dpopKey === undefined) return undefined;
  const current = tokens.accessToken === token || Object.values(tokens.resources ?? {}).some((resource) => resource.accessToken === token);
  return current ? tokens.dpopKey : undefined;
}

/**
 * Sends a matched request with a DPoP-bound access token (RFC 9449 §7): the rule's header with the
 * `DPoP` scheme in place of its own, and a `DPoP` proof made for this request alone (fresh `jti`,
 * `htm`, `htu` without query or fragment, `ath` of the token, the origin's latest nonce).
 *
 * A session whose token is not bound to a key (none was stored with it) is left to the core's
 * `respondWithToken`. Answers to a `401`, each at most once, in the order they come:
 * - `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"`: the new `DPoP-Nonce` is remembered
 *   for the origin and the request sent again with a proof that carries it, body replayed. No
 *   refresh: the token is fine. A second nonce challenge goes to the page as it is.
 * - any other `401`: refresh (sharing the single flight) and one retry, as for Bearer tokens.
 *
 * The proof header is not one browsers drop on a cross-origin redirect; a proof is bound to one
 * URL, method and token, so it is worth nothing to the origin a redirect leads to (which never sees
 * the token: `Authorization` is dropped), and redirects are followed as for Bearer tokens.
 *
 * @example
 * ```ts
 * event.respondWith(respondWithDpop(event.request, rule, { session, nonces, canRetry: true, log }))
 * ```
 */
export async function respondWithDpop(request: Request, rule: CompiledRule, context: DpopFetchContext): Promise<Response> {
  const { session, nonces } = context;
  let token: string | null = null;
  try {
    token = await session.accessToken(rule.target ?? undefined);
  } catch {
    context.log?.(requestLine(request, 'passed: no session (could not be loaded)', rule));
  }
  if (token === null) return fetch(request);
  if (keyFor(session, token) === undefined) return respondWithToken(request, rule, context);

  const bound: CompiledRule = { ...rule, scheme: rule.scheme === null ? null : 'DPoP' };
  const body = await readBody(request);
  const send = async (accessToken: string): Promise<Response> => {
    const key = keyFor(session, accessToken);
    // The session changed under this request (logout, a new login): no proof from another key. The proof is
    // begun first: its WebCrypto calls run while the request is built.
    const proof = key && createDpopProof(key, { method: request.method, url: request.url, accessToken, nonce: nonces.get(request.url) });
    const outgoing = attachToken(request, bound, accessToken, body ?? undefined);
    if (proof) outgoing.headers.set('dpop', await proof);
    const response = await fetch(outgoing);
    // Under the origin that answered: after a followed redirect, not the API's.
    nonces.learn(response.url || request.url, response);
    return isRefusedRedirect(request, response) ? Response.error() : response;
  };
  const again = (response: Response, accessToken: string) => {
    void response.body?.cancel().catch(() => undefined);
    return send(accessToken);
  };

  // Each kind of retry at most once, in whichever order the API asks (a server checking the token
  // before the proof answers an expired token first, then the nonce the refreshed one lacks).
  let response = await send(token);
  context.log?.(requestLine(request, response.type === 'error' ? 'redirect refused' : 'attached (DPoP)', rule));
  let nonceRetried = false;
  let refreshed = false;
  while (response.status === 401 && body !== null) {
    if (await isDpopNonceChallenge(response)) {
      if (nonceRetried) break;
      nonceRetried = true;
      context.log?.(requestLine(request, "retried with the API's new DPoP nonce", rule));
      response = await again(response, token);
      continue;
    }
    if (refreshed) break;
    refreshed = true;
    const fresh: string | null = await session.accessTokenAfterUnauthorized(token, rule.target ?? undefined).catch(() => null);
    if (fresh === null) break;
    token = fresh;
    context.log?.(requestLine(request, 'retried after 401', rule));
    response = await again(response, token);
  }
  return response;
}
