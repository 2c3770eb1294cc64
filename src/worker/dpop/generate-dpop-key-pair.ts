/**
 * Generates the key pair a DPoP session binds its tokens to (RFC 9449): ECDSA P-256 for ES256, the private
 * key non-extractable, so no script — the worker's own included — can read it out: `exportKey` fails on it,
 * and a copy of the IndexedDB record is a handle that only works in this origin's browser profile.
 * Both keys survive IndexedDB as they are (a `CryptoKey` is structured-cloneable); store the pair with the
 * session and make a new one for every new session.
 *
 * @throws {DOMException} `NotSupportedError` where WebCrypto lacks ECDSA P-256
 * @example
 * ```ts
 * const keyPair = await generateDpopKeyPair()
 * await db.put('session', { keyPair, tokens })
 * ```
 */
export function generateDpopKeyPair(): Promise<CryptoKeyPair> {
  // The public key of a generated pair is always extractable; `false` applies to the private key.
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}
