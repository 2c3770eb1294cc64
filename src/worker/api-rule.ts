import type { PerApiTokens } from './per-api-tokens.js';
import { msg } from '../shared/message.js';

/**
 * One allowlist entry: which requests get a token, and in which header.
 */
export interface ApiRule {
  /** Exact origin, scheme + host + port, as `new URL(x).origin` prints it: `https://api.example.com`. */
  origin: string;
  /**
   * Path prefixes matched at `/` boundaries: `/v1` matches `/v1` and `/v1/x`, never `/v10` or `/v1x`.
   * Case-sensitive. Absent: every path of the origin.
   */
  paths?: string[];
  /** Header that carries the token. Default `Authorization`. */
  header?: string;
  /** Scheme put before the token (`Bearer <token>`). Default `'Bearer'`; `null` sends the raw token. */
  scheme?: string | null;
  /**
   * Also give the token to matching `no-cors` requests (`<img>`, `<script>`, `<link>` without a
   * `crossorigin` attribute) by sending them as CORS requests instead. Default `false`: they go
   * out as they are, without a token, because a `no-cors` request cannot carry the header.
   *
   * The API must then answer those requests with CORS headers, or the element fails to load:
   * `Access-Control-Allow-Origin: <the app's exact origin>` (not `*`) and
   * `Access-Control-Allow-Credentials: true` (elements send cookies), and the preflight must
   * allow the token header (`Access-Control-Allow-Headers: authorization`).
   */
  upgradeNoCors?: boolean;
  /**
   * RFC 8707 resource indicator of the API (an absolute URI): requests matching this rule carry
   * an access token issued for it, obtained lazily from the session's one refresh token with
   * `resource=<this>`. Needs `refresh` (or `login`), and `perApiTokens: perApiTokens()` in the config (without it
   * the rule is refused at install). Absent: the session's default access token.
   */
  resource?: string;
  /** The same as `resource`, for providers that name the parameter `audience` (Auth0): sent as `audience=<this>`. */
  audience?: string;
}

/** Which access token a rule's requests carry: the parameter the refresh sends, and its value. */
export interface TokenTarget {
  readonly parameter: 'resource' | 'audience';
  readonly value: string;
}

/** A rule after validation: normalized, lower-cased header, ready for the hot path. */
export interface CompiledRule {
  readonly origin: string;
  /** `null` matches every path. Each entry without a trailing slash, except `/` itself. */
  readonly paths: readonly string[] | null;
  /** Lower-case header name. */
  readonly header: string;
  readonly scheme: string | null;
  /**
   * Whether the browser drops this header on a cross-origin redirect (Fetch: only `Authorization`).
   * Any other header is fetched with `redirect: 'manual'` so it cannot follow a redirect anywhere.
   */
  readonly droppedOnCrossOriginRedirect: boolean;
  /** Whether matching `no-cors` requests are rebuilt as CORS requests that carry the token. */
  readonly upgradeNoCors: boolean;
  /** The resource (or audience) whose access token the rule's requests carry; `null`: the default one. */
  readonly target: TokenTarget | null;
}

// RFC 9110 §5.6.2 token characters.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Headers a page or worker may not set (Fetch, "forbidden request-header"): the browser would
// silently drop them and the API would never see a token.
const FORBIDDEN_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive',
  'origin', 'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
]);

/** Throws the `TypeError` of a rule that fails validation: `Failed to install the token injector: apis[<index>] <reason>`. */
export function failRule(index: number, reason: string): never {
  throw new TypeError(msg`Failed to install the token injector: apis[${index}] ${reason}`);
}

function compileOrigin(value: unknown, index: number): string {
  if (typeof value !== 'string') failRule(index, msg`origin must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    failRule(index, msg`origin '${value}' is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') failRule(index, msg`origin '${value}' must use http or https`);
  if (url.username !== '' || url.password !== '') failRule(index, msg`origin '${value}' must not contain user info`);
  if (url.origin !== value) {
    failRule(index, msg`origin '${value}' is not an exact origin; write '${url.origin}' (scheme, host and port only)`);
  }
  return url.origin;
}

function compilePath(value: unknown, index: number): string {
  if (typeof value !== 'string' || !value.startsWith('/')) failRule(index, msg`paths entries must be strings starting with '/'`);
  // What the URL parser makes of the path is what a request's URL will be compared with:
  // a prefix it would rewrite (dot segments, characters it percent-encodes) could never match.
  const parsed = new URL(value, 'http://x').pathname;
  if (parsed !== value || value.includes('?') || value.includes('#') || value.includes('//')) {
    failRule(index, msg`path '${value}' is not a normalized path prefix`);
  }
  return value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
}

/**
 * Validates one allowlist rule and prepares it for matching.
 *
 * @param rule - the rule as the app wrote it
 * @param index - its position in `apis`, for error messages
 * @param perApi - the per-API tokens the app opted into; without it a rule with `resource` or
 *   `audience` is refused
 * @throws TypeError naming the rule and the problem
 * @example
 * ```ts
 * compileRule({ origin: 'https://api.example.com', paths: ['/v1'] }, 0)
 * ```
 */
export function compileRule(rule: unknown, index: number, perApi?: PerApiTokens): CompiledRule {
  if (typeof rule !== 'object' || rule === null) failRule(index, msg`must be an object`);
  const input = rule as Record<string, unknown>;
  const origin = compileOrigin(input.origin, index);
  let paths: string[] | null = null;
  if (input.paths !== undefined) {
    if (!Array.isArray(input.paths) || input.paths.length === 0) failRule(index, msg`paths must be a non-empty array when present`);
    paths = input.paths.map((p) => compilePath(p, index));
    if (paths.includes('/')) paths = null;
  }
  const headerName = input.header === undefined ? 'Authorization' : input.header;
  if (typeof headerName !== 'string' || !TOKEN.test(headerName)) failRule(index, msg`header must be a valid HTTP header name`);
  const header = headerName.toLowerCase();
  if (FORBIDDEN_HEADERS.has(header) || header.startsWith('proxy-') || header.startsWith('sec-')) {
    failRule(index, msg`header '${headerName}' is one browsers do not let scripts set`);
  }
  let scheme: string | null = 'Bearer';
  if (input.scheme !== undefined) {
    if (input.scheme !== null && (typeof input.scheme !== 'string' || !TOKEN.test(input.scheme))) {
      failRule(index, msg`scheme must be a single word such as Bearer, or null`);
    }
    scheme = input.scheme as string | null;
  }
  if (input.upgradeNoCors !== undefined && typeof input.upgradeNoCors !== 'boolean') failRule(index, msg`upgradeNoCors must be a boolean`);
  return {
    // The per-API machinery is only in a worker that imports it (`perApiTokens`).
    target:
      input.resource === undefined && input.audience === undefined
        ? null
        : perApi?.compileTarget
          ? perApi.compileTarget(input, index)
          : failRule(index, msg`resource and audience need perApiTokens in the config`),
    origin,
    paths,
    header,
    scheme,
    droppedOnCrossOriginRedirect: header === 'authorization',
    upgradeNoCors: input.upgradeNoCors === true,
  };
}
