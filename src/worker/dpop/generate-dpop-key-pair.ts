/**
 * A session's DPoP key pair as stored: with `publicJwk`, the public key exported once when the pair was made,
 * so a restarted worker signs its first proof without an export. Public data: the private key stays a
 * non-extractable `CryptoKey`. Pairs stored without it (older sessions) still work: the proof exports it.
 */
export interface DpopKeyPair extends CryptoKeyPair {
  publicJwk?: JsonWebKey;
}

/**
 * Generates the key pair a DPoP session binds its tokens to (RFC 9449): ECDSA P-256 for ES256, the private
 * key non-extractable, so no script — the worker's own included — can read it out: `exportKey` fails on it,
 * and a copy of the IndexedDB record is a handle that only works in this origin's browser profile.
 * Both keys survive IndexedDB as they are (a `CryptoKey` is structured-cloneable); store the pair with the
 * session and make a new one for every new session. The public key's JWK comes along (`publicJwk`), for the
 * proofs' header.
 *
 * @throws {DOMException} `NotSupportedError` where WebCrypto lacks ECDSA P-256
 * @example
 * ```ts
 * const keyPair = await generateDpopKeyPair()
 * await db.put('session', { keyPair, tokens })
 * ```
 */
export async function generateDpopKeyPair(): Promise<DpopKeyPair & { publicJwk: JsonWebKey }> {
  // The public key of a generated pair is always extractable; `false` applies to the private key.
  const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  // (A CryptoKeyPair is a plain object: the pair is stored with the session by structured clone.)
  return { ...keyPair, publicJwk: await crypto.subtle.exportKey('jwk', keyPair.publicKey) };
}
