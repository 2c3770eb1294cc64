/**
 * The form of a URL that a DPoP proof's `htu` is compared in: scheme, host, port and path, without query
 * and fragment (RFC 9449 §4.3 step 9), normalised as RFC 3986 §6.2.2 and §6.2.3 ask: the WHATWG URL parser
 * lower-cases scheme and host, drops a default port, resolves dot segments and gives an empty path `/`;
 * percent-encodings are upper-cased and those of unreserved characters decoded here.
 *
 * @param url - an absolute URL
 * @returns the normalised `htu`, or `null` when `url` is not an absolute http(s) URL
 * @example
 * ```ts
 * normalizeHtu('HTTPS://Api.Example.com:443/a/../v1/%7euser?x=1#f') // 'https://api.example.com/v1/~user'
 * ```
 */
export function normalizeHtu(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const path = parsed.pathname.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
  return `${parsed.origin}${path}`;
}
