/**
 * The URL variants of the leak suite, in one place: each says whether it must carry the token and
 * where the request must land. Used by `e2e/leak-suite.spec.ts` (real Chromium, every host name
 * mapped to the recording server) and by `test/url-variants.test.ts` (the matcher alone).
 *
 * The allowlist they are written against is {@link variantRules} (the suite's default one): on
 * `http://api.test:<api>`, `Authorization: Bearer` under `/v1` and a raw `x-api-token` under
 * `/custom`.
 *
 * To add a case: append an entry; `lands` is the server that must record it (`null` where no server
 * can: a refused URL, TLS to a plain-HTTP port, a port nothing listens on), and `seen` the path
 * (without query) that server must see, after the URL parser has done its work.
 */
import type { ApiRule } from 'bearer-sw/worker';

/** The allowlist the variants are written against. */
export function variantRules(apiPort: number): ApiRule[] {
  return [
    { origin: `http://api.test:${apiPort}`, paths: ['/v1'] },
    { origin: `http://api.test:${apiPort}`, paths: ['/custom'], header: 'x-api-token', scheme: null },
  ];
}

/** Ports of the two recording servers of a run. */
export interface VariantPorts {
  /** The allowlisted API (`api.test:<api>`), which also answers every other host name. */
  api: number;
  /** Another recording server: same host names, another port. */
  other: number;
}

export interface UrlVariant {
  /** What the case tries, for the failure message. */
  note: string;
  /** The URL exactly as the page uses it. */
  url: string;
  /** `fetch` (cors), or `xhr` where fetch() refuses the URL itself (credentials in it). */
  via: 'fetch' | 'xhr';
  /** `none`: no token may arrive anywhere. Otherwise the header that must carry it. */
  token: 'none' | 'authorization' | 'x-api-token';
  /** Which recording server must record it, or `null` when none can. */
  lands: 'api' | 'other' | null;
  /** The Host header that server must see. */
  host?: string;
  /** The path (no query) that server must see. */
  seen?: string;
}

/** Appends `case=<n>` to the query, before any fragment, without normalizing the URL. */
export function tagUrl(url: string, n: number): string {
  const hash = url.indexOf('#');
  const head = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? '' : url.slice(hash);
  return `${head}${head.includes('?') ? '&' : '?'}case=${n}${fragment}`;
}

/**
 * @param ports - the ports of this run
 * @returns every variant, `none` ones first
 */
export function urlVariants({ api: A, other: O }: VariantPorts): UrlVariant[] {
  const api = `http://api.test:${A}`;
  const at = (host: string, path = '/v1/x'): UrlVariant['url'] => `http://${host}${path}`;
  const none = (note: string, url: string, lands: UrlVariant['lands'], host?: string, seen?: string, via: UrlVariant['via'] = 'fetch'): UrlVariant => {
    const variant: UrlVariant = { note, url, via, token: 'none', lands };
    if (host !== undefined) variant.host = host;
    if (seen !== undefined) variant.seen = seen;
    return variant;
  };
  const gets = (note: string, url: string, seen: string, header: 'authorization' | 'x-api-token' = 'authorization'): UrlVariant => ({
    note,
    url,
    via: 'fetch',
    token: header,
    lands: 'api',
    host: `api.test:${A}`,
    seen,
  });
  const hostCase = (note: string, host: string, landsAs = host) => none(note, at(`${host}:${A}`), 'api', `${landsAs}:${A}`, '/v1/x');
  const pathCase = (note: string, path: string, seen: string) => none(note, `${api}${path}`, 'api', `api.test:${A}`, seen);

  return [
    // --- look-alike hosts: other origins, all answered by the same server ---
    hostCase('another host', 'evil.test'),
    hostCase('allowlisted host as a subdomain of another', 'api.test.evil.test'),
    hostCase('subdomain of the allowlisted host', 'v1.api.test'),
    hostCase('host without the dot', 'apitest'),
    hostCase('dash for dot', 'api-test.test'),
    hostCase('prefix', 'aapi.test'),
    hostCase('truncated', 'api.tes'),
    hostCase('extended', 'api.testx'),
    hostCase('doubled suffix', 'api.test.test'),
    hostCase('trailing dot: the same server for DNS, another origin for the URL standard', 'api.test.'),
    hostCase('Cyrillic a (IDN look-alike)', '\u0430pi.test', 'xn--pi-6kc.test'),
    hostCase('Cyrillic e in the TLD', 'api.t\u0435st', 'api.xn--tst-rdd'),
    hostCase('punycode of a look-alike', 'xn--pi-6kc.test'),
    hostCase('localhost', 'localhost'),
    hostCase('loopback address', '127.0.0.1'),
    none('short IPv4', at(`127.1:${A}`), 'api', `127.0.0.1:${A}`, '/v1/x'),
    none('hex IPv4', at(`0x7f.0.0.1:${A}`), 'api', `127.0.0.1:${A}`, '/v1/x'),
    none('decimal IPv4', at(`2130706433:${A}`), 'api', `127.0.0.1:${A}`, '/v1/x'),
    none('IPv4-mapped IPv6', at(`[::ffff:127.0.0.1]:${A}`), 'api', `[::ffff:7f00:1]:${A}`, '/v1/x'),
    // --- other ports and schemes ---
    none('another port on the allowlisted host', at(`api.test:${O}`), 'other', `api.test:${O}`, '/v1/x'),
    none('default port 80', at('api.test'), null),
    none('https on the API port (TLS to a plain-HTTP server)', `https://api.test:${A}/v1/x`, null),
    none('https on the default port', 'https://api.test/v1/x', null),
    // --- user info and authority confusion ---
    none('credentials in the URL (fetch refuses, XHR strips them)', `http://user:pw@api.test:${A}/v1/x`, 'api', `api.test:${A}`, '/v1/x', 'xhr'),
    none('allowlisted origin as user info', `http://api.test:${A}@evil.test:${A}/v1/x`, 'api', `evil.test:${A}`, '/v1/x', 'xhr'),
    none('allowlisted origin in the fragment', `http://evil.test:${A}/#@api.test:${A}/v1/x`, 'api', `evil.test:${A}`, '/'),
    none('backslash before @', `http://evil.test:${A}\\@api.test:${A}/v1/x`, 'api', `evil.test:${A}`, `/@api.test:${A}/v1/x`),
    none('allowlisted URL in the path', `http://evil.test:${A}/http://api.test:${A}/v1/x`, 'api', `evil.test:${A}`, `/http://api.test:${A}/v1/x`),
    none('allowlisted URL in the query', `http://evil.test:${A}/?u=http://api.test:${A}/v1/x`, 'api', `evil.test:${A}`, '/'),
    // --- paths: boundaries, case, dot segments and encodings ---
    pathCase('longer segment', '/v10', '/v10'),
    pathCase('suffix on the segment', '/v1x/y', '/v1x/y'),
    pathCase('upper case', '/V1/x', '/V1/x'),
    pathCase('prefix deeper down', '/x/v1/y', '/x/v1/y'),
    pathCase('root', '/', '/'),
    pathCase('part of the prefix', '/v', '/v'),
    pathCase('extension', '/v1.json', '/v1.json'),
    pathCase('matrix parameter', '/v1;x', '/v1;x'),
    pathCase('double slash', '//v1/x', '//v1/x'),
    pathCase('encoded slash after the prefix', '/v1%2F..%2Fadmin', '/v1%2F..%2Fadmin'),
    pathCase('encoded lower-case slash', '/v1%2f', '/v1%2f'),
    pathCase('percent-encoded prefix', '/%76%31/x', '/%76%31/x'),
    pathCase('NUL after the prefix', '/v1%00', '/v1%00'),
    pathCase('space after the prefix', '/v1%20', '/v1%20'),
    pathCase('dot-dot out of the prefix', '/v1/../admin', '/admin'),
    pathCase('encoded dot-dot out of the prefix', '/v1/%2e%2e/admin', '/admin'),
    pathCase('mixed encoded dot-dot', '/v1/.%2E/admin', '/admin'),
    pathCase('backslash dot-dot', '/v1\\..\\admin', '/admin'),
    pathCase('boundary of the custom-header prefix', '/customer', '/customer'),
    pathCase('upper-case custom-header prefix', '/Custom/x', '/Custom/x'),
    pathCase('encoded slash after the custom-header prefix', '/custom%2Fx', '/custom%2Fx'),

    // --- the same origin, however it is spelled: these MUST carry the token ---
    gets('the prefix itself', `${api}/v1`, '/v1'),
    gets('below the prefix', `${api}/v1/x`, '/v1/x'),
    gets('prefix with a trailing slash', `${api}/v1/`, '/v1/'),
    gets('upper-case host', `http://API.TEST:${A}/v1/x`, '/v1/x'),
    gets('fullwidth letters (IDNA maps them to ASCII)', `http://\uff41\uff50\uff49.test:${A}/v1/x`, '/v1/x'),
    gets('percent-encoded dot in the host', `http://api%2Etest:${A}/v1/x`, '/v1/x'),
    gets('ideographic full stop (IDNA maps it to a dot)', `http://api\u3002test:${A}/v1/x`, '/v1/x'),
    gets('soft hyphen in the host (IDNA drops it)', `http://a\u00adpi.test:${A}/v1/x`, '/v1/x'),
    gets('port with a leading zero', `http://api.test:0${A}/v1/x`, '/v1/x'),
    gets('empty user info', `http://@api.test:${A}/v1/x`, '/v1/x'),
    gets('dot-dot into the prefix', `${api}/x/../v1/y`, '/v1/y'),
    gets('encoded dot segment into the prefix', `${api}/%2e/v1/y`, '/v1/y'),
    gets('out and back in', `${api}/v1/%2e%2e/v1/y`, '/v1/y'),
    gets('tab inside the path (the parser strips it)', `${api}/v\t1/y`, '/v1/y'),
    gets('fragment', `${api}/v1/x#frag`, '/v1/x'),
    // Inside /v1 by the URL standard (%2F is data, `..;` a plain segment): the origin is the trust
    // boundary, and what the API's own router makes of these is the API's business (SECURITY.md).
    gets('encoded slashes below the prefix', `${api}/v1/..%2F..%2Fadmin`, '/v1/..%2F..%2Fadmin'),
    gets('dot-dot-semicolon below the prefix', `${api}/v1/..;/admin`, '/v1/..;/admin'),
    gets('custom header', `${api}/custom/x`, '/custom/x', 'x-api-token'),
    gets('custom header, the prefix itself', `${api}/custom`, '/custom', 'x-api-token'),
  ];
}
