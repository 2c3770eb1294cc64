import { base64url } from 'jose';

/** How a nonce a proof carried compares with the ones the server hands out. */
export type NonceCheck = 'current' | 'previous' | 'stale';

/**
 * Hands out DPoP nonces (RFC 9449 §9) and tells whether a proof's nonce is still accepted.
 * A nonce limits how long a proof made ahead of time stays usable, whatever the client's clock says.
 */
export interface NonceIssuer {
  /** The nonce to send in `DPoP-Nonce` now. */
  current(): Promise<string>;
  /** `current` or `previous` (accepted; answer with the current one), `stale` (expired or not ours: refuse). */
  check(nonce: string): Promise<NonceCheck>;
}

/** Options of {@link createNonceIssuer}. */
export interface NonceIssuerOptions {
  /**
   * HMAC key, at least 32 bytes. Give every instance of a server the same one so a nonce from one is
   * accepted by the others. Default: random, for this process only.
   */
  secret?: Uint8Array;
  /** How long one nonce is the current one, in seconds; the previous one is accepted for as long again. Default 300. */
  lifetimeSeconds?: number;
  /** The clock, seconds since the epoch (tests). Default `Date.now() / 1000`. */
  now?: () => number;
}

const encoder = new TextEncoder();

/**
 * Creates a stateless {@link NonceIssuer}: a nonce is a time slot and its HMAC, so nothing is stored and
 * instances sharing `secret` agree. The current slot's nonce and the previous one's are accepted.
 *
 * @throws {TypeError} for a secret shorter than 32 bytes or a lifetime that is not a positive number
 * @example
 * ```ts
 * const nonces = createNonceIssuer({ secret: sharedSecret, lifetimeSeconds: 120 })
 * await verifyRequest(request, { ...options, dpop: { nonces } })
 * ```
 */
export function createNonceIssuer(options: NonceIssuerOptions = {}): NonceIssuer {
  const lifetime = options.lifetimeSeconds ?? 300;
  if (!(lifetime > 0) || !Number.isFinite(lifetime)) throw new TypeError('Failed to create a nonce issuer: lifetimeSeconds must be a positive number');
  if (options.secret !== undefined && options.secret.byteLength < 32) throw new TypeError('Failed to create a nonce issuer: the secret must have at least 32 bytes');
  const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(32));
  const now = options.now ?? (() => Date.now() / 1000);
  const key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const slotNow = () => Math.floor(now() / lifetime);
  const label = (slot: number) => encoder.encode(`dpop-nonce.${slot.toString(36)}`);
  const nonceFor = async (slot: number) => `${slot.toString(36)}.${base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', await key, label(slot))))}`;
  return {
    current: () => nonceFor(slotNow()),
    async check(nonce) {
      const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
      if (match === null) return 'stale';
      const [, slotText = '', mac = ''] = match;
      const slot = Number.parseInt(slotText, 36);
      // The pattern above admits base64url only, so it decodes. crypto.subtle.verify compares in constant time.
      const signature = base64url.decode(mac) as Uint8Array<ArrayBuffer>;
      if (!(await crypto.subtle.verify('HMAC', await key, signature, label(slot)))) return 'stale';
      const current = slotNow();
      if (slot === current) return 'current';
      return slot === current - 1 ? 'previous' : 'stale';
    },
  };
}
