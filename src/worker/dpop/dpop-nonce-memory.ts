import { msg } from '../../shared/message.js';
/**
 * The latest `DPoP-Nonce` each origin sent (RFC 9449 §8.2, §9: a nonce is per server, and the client uses
 * the newest one it got), for the authorization server and every API alike. A memory cache: after the
 * worker stops, the first request goes without a nonce and the server's challenge supplies one again.
 *
 * @example
 * ```ts
 * const nonces = new DpopNonceMemory()
 * const proof = await createDpopProof(keyPair, { method, url, accessToken, nonce: nonces.get(url) })
 * const response = await fetch(request)
 * nonces.learn(url, response)
 * ```
 */
export class DpopNonceMemory {
  readonly #nonces = new Map<string, string>();
  readonly #maxOrigins: number;

  /**
   * @param maxOrigins - how many origins are remembered; the least recently told is forgotten first. Default 100.
   * @throws {TypeError} when `maxOrigins` is not a positive integer
   */
  constructor(maxOrigins = 100) {
    if (!Number.isSafeInteger(maxOrigins) || maxOrigins < 1) throw new TypeError(msg`Failed to create a DPoP nonce memory: maxOrigins must be a positive integer`);
    this.#maxOrigins = maxOrigins;
  }

  /** The nonce to put in a proof for `url`, if its origin sent one. */
  get(url: string | URL): string | undefined {
    return this.#nonces.get(new URL(url).origin);
  }

  /**
   * Remembers the `DPoP-Nonce` of a response from `url`, whatever its status (servers also rotate nonces
   * on successful answers).
   * @returns whether the response carried a nonce different from the one remembered
   */
  learn(url: string | URL, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce');
    // NQCHAR (RFC 9449 §8.1): a nonce is printable ASCII without `"` and `\`; anything else is not one.
    if (nonce === null || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return false;
    const origin = new URL(url).origin;
    const changed = this.#nonces.get(origin) !== nonce;
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    if (this.#nonces.size > this.#maxOrigins) this.#nonces.delete(this.#nonces.keys().next().value as string);
    return changed;
  }
}
