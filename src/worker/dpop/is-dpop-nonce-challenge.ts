import { parseWwwAuthenticate } from './parse-www-authenticate.js';

/**
 * Tells whether a response asks for a (fresh) DPoP nonce (RFC 9449 §8, §9): an authorization server answers
 * `400` with the JSON body `{"error":"use_dpop_nonce"}`, a resource server `401` with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"`. Either way the nonce to use is in `DPoP-Nonce` (see
 * `DpopNonceMemory.learn`). The body is read from a clone: `response` stays readable.
 *
 * @example
 * ```ts
 * nonces.learn(url, response)
 * if (await isDpopNonceChallenge(response)) response = await send() // once, with a proof carrying the nonce
 * ```
 */
export async function isDpopNonceChallenge(response: Response): Promise<boolean> {
  if (response.status === 401) {
    const header = response.headers.get('www-authenticate');
    return header !== null && parseWwwAuthenticate(header).some((c) => c.scheme === 'dpop' && c.params['error'] === 'use_dpop_nonce');
  }
  if (response.status !== 400 || !/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) return false;
  try {
    const body: unknown = await response.clone().json();
    return typeof body === 'object' && body !== null && (body as Record<string, unknown>)['error'] === 'use_dpop_nonce';
  } catch {
    return false;
  }
}
