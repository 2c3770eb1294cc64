/**
 * An OAuth error code as it may appear in a message: printable ASCII without `"` and `\`, bounded
 * (RFC 6749 §4.1.2.1, §5.2); anything else is `unknown`.
 * @example
 * ```ts
 * oauthCode('invalid_grant') // 'invalid_grant'
 * ```
 */
export function oauthCode(value: unknown): string {
  return typeof value === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'unknown';
}
