/**
 * The browser reaches the fixtures as `localhost`; Node code connects to `127.0.0.1` instead, because
 * every fixture binds IPv4 loopback only and `localhost` may resolve to `::1` first.
 */

/** The IPv4 loopback address every fixture binds to. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Returns `url` with a `localhost` hostname replaced by `127.0.0.1`; any other URL comes back as is. */
export function loopbackUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === 'localhost') parsed.hostname = LOOPBACK_HOST;
  return parsed.href;
}
