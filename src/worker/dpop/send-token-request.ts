import { createDpopProof } from './create-dpop-proof.js';
import type { DpopNonceMemory } from './dpop-nonce-memory.js';
import { isDpopNonceChallenge } from './is-dpop-nonce-challenge.js';

/**
 * Sends a token endpoint request (code exchange, refresh) with a DPoP proof (RFC 9449 §5) for
 * `POST endpoint`, carrying the authorization server's latest nonce. When the server answers
 * `400 use_dpop_nonce` (§8), its `DPoP-Nonce` is remembered for the origin and the request sent once
 * more with a new proof that carries it; a second challenge is returned as it is, for the caller's
 * response processing to refuse.
 *
 * @param keyPair - the session's key pair: the tokens obtained are bound to it
 * @param nonces - the worker's nonce memory (shared with API requests, keyed by origin)
 * @param endpoint - the token endpoint's URL
 * @param request - sends the request with these extra headers (oauth4webapi's `headers` option)
 * @example
 * ```ts
 * const response = await sendTokenRequest(keyPair, nonces, as.token_endpoint, (headers) =>
 *   oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { headers }))
 * ```
 */
export async function sendTokenRequest(
  keyPair: CryptoKeyPair,
  nonces: DpopNonceMemory,
  endpoint: string,
  request: (headers: Record<string, string>) => Promise<Response>,
): Promise<Response> {
  const attempt = async () => {
    const response = await request({ dpop: await createDpopProof(keyPair, { method: 'POST', url: endpoint, nonce: nonces.get(endpoint) }) });
    nonces.learn(endpoint, response);
    return response;
  };
  const response = await attempt();
  if (!(await isDpopNonceChallenge(response))) return response;
  void response.body?.cancel().catch(() => undefined);
  return attempt();
}
