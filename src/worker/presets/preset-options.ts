import { msg } from '../../shared/message.js';
/**
 * Checks a preset's base URL option: an absolute http(s) URL without credentials, query or
 * fragment. Returns it with one trailing slash, ready for `new URL(path, base)`.
 *
 * @throws TypeError naming the option
 * @example
 * ```ts
 * baseUrlOption('https://x.supabase.co', 'url', 'Supabase') // 'https://x.supabase.co/'
 * ```
 */
export function baseUrlOption(value: unknown, option: string, preset: string): string {
  const fail = (reason: string): never => {
    throw new TypeError(msg`Failed to create the ${preset} refresh function: ${option} ${reason}`);
  };
  if (typeof value !== 'string') return fail(msg`must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(msg`'${value}' is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(msg`must use http or https`);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') fail(msg`must not carry credentials, a query or a fragment`);
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/**
 * Checks a non-empty, header-safe string option (keys and ids travel in headers and URLs).
 *
 * @throws TypeError naming the option
 * @example
 * ```ts
 * stringOption(options.apiKey, 'apiKey', 'Supabase')
 * ```
 */
export function stringOption(value: unknown, option: string, preset: string): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(value)) {
    throw new TypeError(msg`Failed to create the ${preset} refresh function: ${option} must be a non-empty string of visible ASCII characters`);
  }
  return value;
}
