/** A PKCE pair (RFC 7636) and the `state` of one authorization request. */
export interface PkceRequest {
  verifier: string;
  /** `BASE64URL(SHA-256(verifier))`, for `code_challenge_method=S256`. */
  challenge: string;
  state: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Creates a fresh code verifier (32 random bytes), its S256 challenge and a random `state`. */
export async function createPkceRequest(): Promise<PkceRequest> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)), state: base64url(crypto.getRandomValues(new Uint8Array(16))) };
}
