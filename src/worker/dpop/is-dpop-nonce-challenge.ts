import { isDPoPNonceError, processRevocationResponse } from 'oauth4webapi';

/**
 * Tells whether a response asks for a (fresh) DPoP nonce (RFC 9449 §8, §9): an authorization server answers
 * `400` with the JSON body `{"error":"use_dpop_nonce"}`, a resource server `401` with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`. Either way the nonce to use is in `DPoP-Nonce` (see
 * `DpopNonceMemory.learn`). The body is read from a clone: `response` stays readable.
 *
 * The response is read by oauth4webapi, which the login already carries for its token endpoint requests:
 * every one of its `process…Response` functions reads an error answer the same way (the challenges of
 * `WWW-Authenticate`, RFC 9110 §11.6.1, else an OAuth JSON error body) and throws what it found, and
 * `isDPoPNonceError` tells a DPoP nonce challenge from any other. `processRevocationResponse` is the one that
 * takes the response alone; here it is only that reader, whatever endpoint answered.
 *
 * @example
 * ```ts
 * nonces.learn(url, response)
 * if (await isDpopNonceChallenge(response)) response = await send() // once, with a proof carrying the nonce
 * ```
 */
export async function isDpopNonceChallenge(response: Response): Promise<boolean> {
  // A resource server's challenge is in its header; an authorization server's in a 400's body.
  if (response.status === 401 ? !response.headers.has('www-authenticate') : response.status !== 400) return false;
  try {
    await processRevocationResponse(response.clone());
    return false;
  } catch (error) {
    return isDPoPNonceError(error);
  }
}
