import { msg } from '../../shared/message.js';
/** Options of `oidcLogin`. */
export interface OidcLoginOptions {
  /**
   * The authorization server's issuer identifier (`https://auth.example.com`). Its metadata is
   * discovered at `<issuer>/.well-known/openid-configuration` and must name this same issuer.
   */
  issuer: string;
  /** The public client's id, registered at the server for this app. */
  clientId: string;
  /**
   * Where the server sends the browser back with the code: a URL inside the worker's scope,
   * registered at the server. The worker answers that navigation itself; no page ever loads it.
   */
  redirectUri: string;
  /** Requested scope. Default `openid offline_access` (`openid` is required). */
  scope?: string;
  /**
   * Extra authorization request parameters (`audience`, `resource`, `prompt`, …). A `resource`
   * (an absolute URI) is the API of the session's own token, the one rules without `resource`
   * carry: the authorization request asks for it first, then for every rule's `resource` (RFC 8707
   * §2.1, one parameter each), and with more than one the code exchange names it. An `audience`
   * is sent as it is; rules' `audience` values are not added (a server that takes `audience`, as
   * Auth0, takes one at authorization).
   */
  authorizationParams?: Record<string, string>;
  /**
   * Where the server sends the browser after RP-initiated logout (`session.logout({ endSession:
   * true })`); same-origin, registered at the server. Default: the worker's scope URL.
   */
  postLogoutRedirectUri?: string;
  /** The ID token signing algorithm the client registered. Default `RS256`. */
  idTokenSigningAlg?: string;
  /**
   * Still accept tokens a page hands over with `session.handoff()` (for an app that also logs in
   * elsewhere). Default `false`: with the login in the worker, a page has no way to plant tokens.
   */
  allowHandoff?: boolean;
  /**
   * Bind every token this login obtains to a key pair that cannot leave the browser (DPoP, RFC
   * 9449): a new ES256 pair for each session, its private key non-extractable, stored in IndexedDB
   * with the tokens; the code exchange, every refresh and every request to the allowlisted APIs
   * carry a proof signed with it. Default `false`.
   */
  dpop?: boolean;
}

/** The options after validation. */
export interface CheckedLoginOptions {
  issuer: URL;
  clientId: string;
  redirectUri: URL;
  scope: string;
  authorizationParams: Record<string, string>;
  postLogoutRedirectUri: URL | null;
  idTokenSigningAlg: string;
  /** Plain http is allowed for a loopback issuer only (development). */
  insecure: boolean;
  allowHandoff: boolean;
  dpop: boolean;
}

/** Parameters the worker sets itself: an app may not override them. */
const RESERVED = new Set(['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'login_hint']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function fail(reason: string): never {
  throw new TypeError(msg`Failed to create the login: ${reason}`);
}

function absolute(value: unknown, name: string): URL {
  if (typeof value !== 'string') fail(msg`${name} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(msg`${name} '${value}' is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    fail(msg`${name} must use https (plain http only on localhost)`);
  }
  if (url.hash !== '') fail(msg`${name} must not have a fragment`);
  return url;
}

/**
 * Validates the options of `oidcLogin` once, when the worker script runs.
 * @throws TypeError naming the first problem found
 * @example
 * ```ts
 * checkLoginOptions({ issuer: 'https://auth.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/callback' })
 * ```
 */
export function checkLoginOptions(options: OidcLoginOptions): CheckedLoginOptions {
  if (typeof options !== 'object' || options === null) fail(msg`options must be an object`);
  const issuer = absolute(options.issuer, 'issuer');
  if (issuer.search !== '') fail(msg`issuer must not have a query`);
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) fail(msg`clientId must be a non-empty string`);
  const redirectUri = absolute(options.redirectUri, 'redirectUri');
  if (redirectUri.search !== '') fail(msg`redirectUri must not have a query`);
  const scope = options.scope ?? 'openid offline_access';
  if (typeof scope !== 'string' || !scope.split(' ').includes('openid')) fail(msg`scope must be a string that includes 'openid'`);
  const params = options.authorizationParams ?? {};
  if (typeof params !== 'object' || params === null) fail(msg`authorizationParams must be an object of strings`);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') fail(msg`authorizationParams.${key} must be a string`);
    if (RESERVED.has(key)) fail(msg`authorizationParams must not set '${key}', which the worker sets itself`);
  }
  // It joins the rules' resources (RFC 8707 §2: an absolute URI without a fragment) and is named at the code exchange.
  const resource = (params as Record<string, string>)['resource'];
  if (resource !== undefined) {
    try {
      if (resource.includes('#')) throw new TypeError('fragment');
      new URL(resource); // not URL.canParse: Safari 17+ only
    } catch {
      fail(msg`authorizationParams.resource must be an absolute URI without a fragment`);
    }
  }
  const postLogout = options.postLogoutRedirectUri === undefined ? null : absolute(options.postLogoutRedirectUri, 'postLogoutRedirectUri');
  if (postLogout !== null && postLogout.origin !== redirectUri.origin) fail(msg`postLogoutRedirectUri must be on the origin of redirectUri`);
  const alg = options.idTokenSigningAlg ?? 'RS256';
  if (typeof alg !== 'string' || alg === 'none' || alg.length === 0) fail(msg`idTokenSigningAlg must name a signing algorithm (not 'none')`);
  if (options.allowHandoff !== undefined && typeof options.allowHandoff !== 'boolean') fail(msg`allowHandoff must be a boolean`);
  if (options.dpop !== undefined && typeof options.dpop !== 'boolean') fail(msg`dpop must be a boolean`);
  return {
    dpop: options.dpop === true,
    allowHandoff: options.allowHandoff === true,
    issuer,
    clientId: options.clientId,
    redirectUri,
    scope,
    authorizationParams: { ...params },
    postLogoutRedirectUri: postLogout,
    idTokenSigningAlg: alg,
    insecure: issuer.protocol === 'http:',
  };
}
