import { jwtVerify, SignJWT } from 'jose';

/** Key shared by the test that mints tokens and the API server that verifies them. */
const SECRET = new TextEncoder().encode('bearer-sw-e2e-secret-0123456789abcdef');
let counter = 0;

/** Mints an HS256 JWT the test API accepts; `jti` makes every token distinct. */
export async function mintToken(options: { sub?: string; ttlSeconds?: number } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub ?? 'user-1')
    .setJti(`t${++counter}-${Date.now()}`)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600))
    .sign(SECRET);
}

/**
 * What the API concluded about a token. A refusal may carry the answer `bearer-sw/server` gives it (status and
 * headers: `WWW-Authenticate`, `DPoP-Nonce`); without one the API answers 401 `Bearer error="invalid_token"`.
 */
export type Verification =
  | { ok: true; sub: string; jti: string; scheme?: string | null; jkt?: string | null }
  | { ok: false; error: string; challenge?: { status: number; headers: Record<string, string> } };

/** Verifies a token minted by {@link mintToken}. */
export async function verifyTestToken(token: string): Promise<Verification> {
  try {
    const { payload } = await jwtVerify(token, SECRET);
    return { ok: true, sub: String(payload.sub), jti: String(payload.jti) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
