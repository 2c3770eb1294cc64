import { createHash, randomBytes } from 'node:crypto';

import { createDpopProof } from '../src/worker/dpop/create-dpop-proof.js';
import type { DpopNonceMemory } from '../src/worker/dpop/dpop-nonce-memory.js';
import { isDpopNonceChallenge } from '../src/worker/dpop/is-dpop-nonce-challenge.js';
import { loopbackUrl } from './loopback.js';

/**
 * A DPoP client as the worker is one: its key pair (from `generateDpopKeyPair`) and the nonces servers gave it.
 * Token requests then carry a proof made by the worker's own `createDpopProof`, and a `use_dpop_nonce` answer is
 * retried once with the nonce.
 */
export interface DpopClient {
  keyPair: CryptoKeyPair;
  nonces: DpopNonceMemory;
}

/** What {@link loginWithCodeFlow} and {@link refreshWithToken} need to know of the provider. */
export interface CodeFlowServer {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  apiAudience: string;
}

/** Tokens from a successful token endpoint response. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as `expires_in` said. */
  expiresIn: number;
  /** `token_type` as the provider said it: `Bearer`, or `DPoP` for tokens bound to the client's key. */
  tokenType: string;
  idToken?: string;
}

/** The outcome of one token endpoint request: the tokens, or the OAuth error. */
export type TokenResult =
  | { ok: true; status: number; tokens: TokenSet }
  | { ok: false; status: number; error: string; errorDescription?: string };

/** Options of {@link refreshWithToken}. */
export interface RefreshOptions {
  /** Token endpoint to post to, e.g. the fault proxy's. Default: the server's own. */
  tokenEndpoint?: string;
  /** `Origin` header to send, to act as the app's page or service worker. Default: none. */
  origin?: string;
  /** Prove possession of this DPoP key (the refresh token is bound to it if the login was). Default: no proof. */
  dpop?: DpopClient;
}

/** Cookies by name, with the path each was set for. Enough for the provider's interaction and session cookies. */
class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.#cookies]
      .filter(([, cookie]) => pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }
}

/**
 * Logs in as a person would, but over plain HTTP from Node: an authorization code request with PKCE (S256) and
 * `prompt=consent`, the provider's development login form (any username, any password), its consent form, then the
 * code exchange. Defaults: username `alice`, scope `openid offline_access api:read`.
 */
export async function loginWithCodeFlow(
  server: CodeFlowServer,
  options: { username?: string; scope?: string; dpop?: DpopClient; extraResources?: string[] } = {},
): Promise<TokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(loopbackUrl(server.authorizationEndpoint));
  authorize.search = new URLSearchParams({
    client_id: server.clientId,
    redirect_uri: server.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid offline_access api:read',
    // oidc-provider drops `offline_access` unless consent is prompted for.
    prompt: 'consent',
    resource: server.apiAudience,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  // More resources in the same grant (RFC 8707 §2.1: `resource` repeated); the code is then
  // exchanged for the main API's token, and the others are refreshed for.
  for (const resource of options.extraResources ?? []) authorize.searchParams.append('resource', resource);

  const jar = new CookieJar();
  let url = authorize.href;
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(body && { 'content-type': 'application/x-www-form-urlencoded' }) },
      ...(body && { body }),
    });
    jar.store(response);
    body = undefined;

    const location = response.headers.get('location');
    if (location) {
      if (location.startsWith(server.redirectUri)) {
        const callback = new URL(location);
        const code = callback.searchParams.get('code');
        if (callback.searchParams.get('state') !== state) throw new Error(`state mismatch in ${location}`);
        if (!code) throw new Error(`no code in ${location}`);
        return exchangeCode(server, code, verifier, options.dpop, options.extraResources?.length ? server.apiAudience : undefined);
      }
      url = new URL(location, url).href;
      continue;
    }

    // A development interaction page: a form with a hidden `prompt` of `login` or `consent`.
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !prompt) {
      throw new Error(`unexpected ${response.status} from ${url}: ${html.slice(0, 300)}`);
    }
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    body = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      body.set('login', options.username ?? 'alice');
      body.set('password', 'any');
    }
  }
  throw new Error('authorization did not reach the redirect URI');
}

/** Exchanges an authorization code at the token endpoint. */
async function exchangeCode(
  server: CodeFlowServer,
  code: string,
  verifier: string,
  dpop: DpopClient | undefined,
  resource?: string,
): Promise<TokenSet> {
  const result = await postToken(loopbackUrl(server.tokenEndpoint), undefined, dpop, {
    grant_type: 'authorization_code',
    client_id: server.clientId,
    redirect_uri: server.redirectUri,
    code,
    code_verifier: verifier,
    ...(resource !== undefined && { resource }),
  });
  if (!result.ok) throw new Error(`code exchange failed: ${result.status} ${result.error} ${result.errorDescription ?? ''}`);
  return result.tokens;
}

/** Sends one raw `refresh_token` grant for the server's client; it never throws for an OAuth error. */
export async function refreshWithToken(
  server: CodeFlowServer,
  refreshToken: string,
  options: RefreshOptions = {},
): Promise<TokenResult> {
  return postToken(loopbackUrl(options.tokenEndpoint ?? server.tokenEndpoint), options.origin, options.dpop, {
    grant_type: 'refresh_token',
    client_id: server.clientId,
    refresh_token: refreshToken,
  });
}

async function postToken(endpoint: string, origin: string | undefined, dpop: DpopClient | undefined, form: Record<string, string>): Promise<TokenResult> {
  const send = async () => {
    const nonce = dpop?.nonces.get(endpoint);
    const proof = dpop && (await createDpopProof(dpop.keyPair, { method: 'POST', url: endpoint, ...(nonce !== undefined && { nonce }) }));
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin && { origin }), ...(proof && { dpop: proof }) },
      body: new URLSearchParams(form),
    });
    dpop?.nonces.learn(endpoint, response);
    return response;
  };
  let response = await send();
  // A nonce challenge is answered once; a second one goes back as it is (RFC 9449 §8).
  if (dpop !== undefined && (await isDpopNonceChallenge(response))) response = await send();
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const text = (key: string) => (typeof json[key] === 'string' ? json[key] : undefined);
  const accessToken = text('access_token');
  const refreshToken = text('refresh_token');
  const idToken = text('id_token');
  if (response.ok && accessToken && refreshToken && typeof json['expires_in'] === 'number') {
    return {
      ok: true,
      status: response.status,
      tokens: { accessToken, refreshToken, expiresIn: json['expires_in'], tokenType: text('token_type') ?? 'Bearer', ...(idToken && { idToken }) },
    };
  }
  const errorDescription = text('error_description');
  return {
    ok: false,
    status: response.status,
    error: text('error') ?? `http_${response.status}`,
    ...(errorDescription && { errorDescription }),
  };
}
