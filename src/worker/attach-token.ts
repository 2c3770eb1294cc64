import type { CompiledRule } from './api-rule.js';

/**
 * Rebuilds a request with the token header, keeping everything else the page asked for.
 *
 * `new Request(request, init)` keeps method, body, mode, credentials, cache, redirect, integrity,
 * keepalive and signal; a non-empty init resets the referrer and its policy (Fetch, Request
 * constructor step 14), so both are passed on explicitly.
 *
 * A header the browser does not drop on a cross-origin redirect (anything but `Authorization`)
 * is sent with `redirect: 'manual'`: the worker cannot see where an opaque redirect leads, so it
 * refuses to follow it rather than let the token reach another origin.
 *
 * A `no-cors` request (routed only under `upgradeNoCors`) is sent as a CORS request, with the
 * credentials mode the element chose, since a `no-cors` request cannot carry the header.
 *
 * @param request - the page's request, matched by `rule`
 * @param rule - the allowlist rule the request matched
 * @param token - the access token
 * @param body - the request's body, read beforehand so it can be sent twice (see
 *   `respond-with-token.ts`); absent: the request's own body goes with it
 * @returns the request to send
 * @example
 * ```ts
 * fetch(attachToken(event.request, rule, token))
 * ```
 */
export function attachToken(request: Request, rule: CompiledRule, token: string, body?: ArrayBuffer): Request {
  const headers = new Headers(request.headers);
  headers.set(rule.header, rule.scheme === null ? token : `${rule.scheme} ${token}`);
  const init: RequestInit = { headers, referrer: request.referrer, referrerPolicy: request.referrerPolicy };
  if (!rule.droppedOnCrossOriginRedirect && request.redirect === 'follow') init.redirect = 'manual';
  if (request.mode === 'no-cors') init.mode = 'cors';
  if (body !== undefined) init.body = body;
  return new Request(request, init);
}

/**
 * Whether a response is a redirect the worker held back (see {@link attachToken}) that the page
 * had asked to follow: answering with it would hand the page an opaque redirect it never asked for.
 */
export function isRefusedRedirect(original: Request, response: Response): boolean {
  return response.type === 'opaqueredirect' && original.redirect === 'follow';
}
