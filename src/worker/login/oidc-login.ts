import * as oauth from 'oauth4webapi';
import { BearerSwError } from '../../shared/errors.js';
import type { LoginFailedDetail, ReplyResults, SessionSnapshot } from '../../shared/protocol.js';
import type { TokenSet } from '../../shared/token-set.js';
import { VERSION } from '../../shared/version.js';
import { DpopNonceMemory } from '../dpop/dpop-nonce-memory.js';
import { generateDpopKeyPair } from '../dpop/generate-dpop-key-pair.js';
import { respondWithDpop } from '../dpop/respond-with-dpop.js';
import { sendTokenRequest } from '../dpop/send-token-request.js';
import { RefreshRejectedError, RefreshUnavailableError } from '../refresh-errors.js';
import { respondWithToken } from '../respond-with-token.js';
import { routeRequest } from '../route-request.js';
import { literal, type RouterCondition } from '../static-routes.js';
import type { StoredTokens } from '../token-store.js';
import type { LoginBinding, WorkerLogin } from '../worker-login.js';
import { completeLogin } from './complete-login.js';
import { createDiscovery, type Discovery } from './discovery.js';
import { openLoginDatabase } from './login-database.js';
import { createLoginFailures, type LoginFailures } from './login-failures.js';
import { oauthCode } from './oauth-code.js';
import { checkLoginOptions, type OidcLoginOptions } from './login-options.js';
import { loginResources } from './login-resources.js';
import { parseLoginPayload, type CheckedLoginPayload } from './parse-login-payload.js';
import { createPendingLogins, type PendingLogins } from './pending-logins.js';
import { createIdTokenVerifier } from './verify-id-token.js';
import { msg } from '../../shared/message.js';

/** The query parameter of the same-origin URL a tab navigates to for RP-initiated logout. */
const END_SESSION_PARAM = 'bearer-sw-end-session';
const REQUEST_TIMEOUT_MS = 10_000;
/** How long after start discovery is warmed: past a restarted worker's first request, on a fast network. */
const WARM_DELAY_MS = 50;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

interface Attached {
  binding: LoginBinding;
  origin: string;
  discovery: Discovery;
  pending: PendingLogins;
  failures: LoginFailures;
  postLogout: URL;
  /** Every resource the authorization request asks for (RFC 8707 §2.1); see `loginResources`. */
  resources: string[];
}

const endpointOf = (url: string | URL) => {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
};

function refused(message: string): Response {
  return new Response(JSON.stringify({ error: 'not-allowed', message }), {
    status: 403,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/**
 * The worker as the OAuth client: the authorization code flow with PKCE (S256) runs in the
 * service worker, so no token, code or verifier ever reaches a page. Pass the result as `login`
 * to `installTokenInjector`; pages call `session.login()`.
 *
 * - `session.login()` asks the worker, which keeps verifier, `state` and `nonce` in IndexedDB
 *   (single use, ten minutes) and answers with the authorization URL.
 * - The server's redirect to `redirectUri` is answered by the worker: it checks `state` and `iss`,
 *   exchanges the code, validates the ID token, stores the tokens and redirects to `returnTo`, so
 *   no document ever loads with the code in its URL. A failure lands there too, with `login-failed`.
 * - Pages' requests to the token and revocation endpoints are refused with a 403.
 * - Refresh uses the discovered token endpoint; logout revokes (RFC 7009) and can end the session
 *   at the server (RP-initiated logout).
 *
 * Protocol steps are oauth4webapi's; the ID token's signature is checked with jose.
 *
 * @param options - `issuer`, `clientId`, `redirectUri`, optional `scope`, `authorizationParams`,
 *   `postLogoutRedirectUri`, `idTokenSigningAlg`
 * @throws TypeError when an option is invalid (now), or at install when `redirectUri` lies outside
 *   the worker's scope
 * @example
 * ```ts
 * import { installTokenInjector } from 'bearer-sw/worker'
 * import { oidcLogin } from 'bearer-sw/worker/login'
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com' }],
 *   login: oidcLogin({ issuer: 'https://auth.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/callback' }),
 * })
 * ```
 */
export function oidcLogin(options: OidcLoginOptions): WorkerLogin {
  const checked = checkLoginOptions(options);
  const client: oauth.Client = { client_id: checked.clientId, token_endpoint_auth_method: 'none', id_token_signed_response_alg: checked.idTokenSigningAlg };
  const idTokens = createIdTokenVerifier(checked.idTokenSigningAlg);
  let attached: Attached | null = null;
  // The latest DPoP-Nonce of the authorization server and of each API, by origin (memory only).
  const nonces = checked.dpop ? new DpopNonceMemory() : null;

  const requestOptions = (signal?: AbortSignal): oauth.TokenEndpointRequestOptions => ({
    signal: signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    [oauth.allowInsecureRequests]: checked.insecure,
  });
  const need = (): Attached => {
    if (attached === null) throw new Error(msg`Failed to use the login: pass it as login to installTokenInjector first`);
    return attached;
  };
  /**
   * The token and revocation endpoints (origin and path), once discovered: worked out once per
   * metadata object (discovery keeps one for the worker's life), not on every request the guard sees.
   */
  let endpointsOf: { as: oauth.AuthorizationServer; endpoints: string[] } | null = null;
  const protectedEndpoints = (as: oauth.AuthorizationServer): string[] => {
    if (endpointsOf?.as !== as) {
      const endpoints = [as.token_endpoint, as.revocation_endpoint].filter((endpoint): endpoint is string => typeof endpoint === 'string').map(endpointOf);
      endpointsOf = { as, endpoints };
    }
    return endpointsOf.endpoints;
  };

  const refuse = (request: Request, { binding }: Attached): Response => {
    const target = endpointOf(request.url);
    binding.log?.(`refused a page's ${request.method} to ${target}: only the worker talks to the token and revocation endpoints`);
    return refused(msg`Failed to send the request: ${target} is the authorization server's token or revocation endpoint, which only the service worker may call`);
  };

  /**
   * Whether a page's (non-navigation) request is one the worker refuses: to the token or revocation
   * endpoint. Decided from the metadata in memory; before discovery has finished (a worker just
   * started reads it about 50 ms later), a request that could redeem a code (not GET or HEAD) waits
   * for it, whatever its origin: the token endpoint may live on another origin than the issuer
   * (Google's does). Only a request an API rule takes, to another origin than the issuer's, goes on
   * at once (`null`: pass).
   */
  const guard = (request: Request, url: URL, context: Attached): Promise<Response> | null => {
    const as = context.discovery.peek();
    if (as !== null) return protectedEndpoints(as).includes(endpointOf(url)) ? Promise.resolve(refuse(request, context)) : null;
    if (request.method === 'GET' || request.method === 'HEAD') return null;
    const atIssuer = url.origin === checked.issuer.origin;
    if (!atIssuer && context.binding.matcher.match(request.url) !== null) return null;
    return context.discovery.get().then(
      (metadata) => (protectedEndpoints(metadata).includes(endpointOf(url)) ? refuse(request, context) : pass(request, context)),
      // The endpoints cannot be known: refuse what could redeem a code at the issuer's origin rather
      // than let it through. Elsewhere, an unknown endpoint is no more reachable through the worker
      // than around it (the static routes were built without it too).
      () => (atIssuer ? refuse(request, context) : fetch(request)),
    );
  };

  /**
   * A request the guard held, once it is known to be no endpoint: on as the worker sends any other,
   * with the token (and, with DPoP, a proof) when an API rule takes it, as it is otherwise.
   */
  const pass = (request: Request, { binding: { matcher, session, log } }: Attached): Promise<Response> => {
    const rule = routeRequest(request, matcher);
    if (typeof rule === 'string') return fetch(request);
    const context = { session, canRetry: true, log };
    return nonces === null ? respondWithToken(request, rule, context) : respondWithDpop(request, rule, { ...context, nonces });
  };

  const callback = async (event: FetchEvent, url: URL, { binding, discovery, pending, failures, postLogout }: Attached) => {
    const endSession = url.searchParams.get(END_SESSION_PARAM);
    if (endSession !== null) {
      const record = await pending.take(endSession, 'end-session').catch(() => null);
      return Response.redirect(record?.url ?? postLogout.href, 303);
    }
    const state = url.searchParams.get('state');
    const record = state === null ? null : await pending.take(state, 'login').catch(() => null);
    const returnTo = record?.returnTo ?? binding.scope;
    try {
      if (record === null) {
        throw new BearerSwError('login-state-invalid', msg`Failed to log in: the response matches no login in progress (its state is missing, unknown, expired or already used)`);
      }
      // With DPoP, every login is a new session with a new key pair: no key outlives its tokens.
      const dpop = nonces === null ? undefined : { keyPair: await generateDpopKeyPair(), nonces };
      const { tokens, ...identity } = await completeLogin(url, record, {
        as: await discovery.get(),
        client,
        options: checked,
        idTokens,
        requestOptions,
        ...(dpop !== undefined && { dpop }),
        // One access token names one resource (RFC 8707 §2.2): with several granted, the first.
        ...(need().resources.length > 1 && { resource: need().resources[0] }),
      });
      await binding.session.handoff(tokens, identity);
      binding.log?.('logged in');
    } catch (error) {
      const failure: LoginFailedDetail =
        error instanceof BearerSwError
          ? { code: error.code, message: error.message }
          : { code: 'login-exchange-failed', message: msg`Failed to log in: an unexpected error occurred in the service worker` };
      binding.log?.(`${failure.code}: ${failure.message}`);
      // Kept before the redirect, in IndexedDB too: the worker may be stopped before the tab asks.
      await failures.add({ ...failure, clientId: event.resultingClientId, url: returnTo });
    }
    // A redirect, not a page: the URL with the code never commits to a document or to history.
    return Response.redirect(returnTo, 303);
  };

  const start = async ({ origin, binding, discovery, pending, resources }: Attached, request: CheckedLoginPayload): Promise<ReplyResults['login']> => {
    let returnTo = new URL(request.returnTo);
    if (returnTo.origin !== origin) throw new TypeError(msg`Failed to log in: returnTo must be on this app's origin`);
    if (endpointOf(returnTo) === endpointOf(checked.redirectUri)) returnTo = new URL(binding.scope);
    if (request.prompt !== undefined && !request.prompt.split(' ').every((p) => PROMPTS.has(p))) {
      throw new TypeError(msg`Failed to log in: prompt must be none, login, consent or select_account`);
    }
    const as = await discovery.get();
    if (typeof as.authorization_endpoint !== 'string') {
      throw new BearerSwError('login-unavailable', msg`Failed to log in: the authorization server publishes no authorization_endpoint`);
    }
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    await pending.put({ kind: 'login', key: state, verifier, nonce, returnTo: returnTo.href, createdAt: Date.now() });

    const url = new URL(as.authorization_endpoint);
    const params = url.searchParams;
    for (const [key, value] of Object.entries(checked.authorizationParams)) params.set(key, value);
    // One `resource` parameter per API (RFC 8707 §2.1), so the one grant covers them all.
    params.delete('resource');
    for (const resource of resources) params.append('resource', resource);
    params.set('client_id', checked.clientId);
    params.set('redirect_uri', checked.redirectUri.href);
    params.set('response_type', 'code');
    params.set('scope', checked.scope);
    params.set('state', state);
    params.set('nonce', nonce);
    params.set('code_challenge', challenge);
    params.set('code_challenge_method', 'S256');
    if (request.prompt !== undefined) params.set('prompt', request.prompt);
    if (request.loginHint !== undefined) params.set('login_hint', request.loginHint);
    return { navigate: url.href };
  };

  /** Revokes a token at the revocation endpoint (RFC 7009), when the server has one. */
  const revoke = async ({ discovery }: Attached, token: string): Promise<void> => {
    const as = await discovery.get();
    if (typeof as.revocation_endpoint !== 'string') return;
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), token, requestOptions()));
  };

  /**
   * A same-origin URL whose navigation the worker answers with a redirect to the server's
   * `end_session_endpoint` (RP-initiated logout), or `null` when the server has none. The page
   * gets a one-time handle, not the URL: the `id_token_hint` in it stays in the worker.
   */
  const endSession = async ({ discovery, pending, postLogout }: Attached, idToken: string | undefined): Promise<string | null> => {
    const as = await discovery.get();
    if (typeof as.end_session_endpoint !== 'string') return null;
    const url = new URL(as.end_session_endpoint);
    url.searchParams.set('client_id', checked.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogout.href);
    if (idToken !== undefined) url.searchParams.set('id_token_hint', idToken);
    const key = oauth.generateRandomState();
    await pending.put({ kind: 'end-session', key, url: url.href, createdAt: Date.now() });
    const handle = new URL(checked.redirectUri);
    handle.searchParams.set(END_SESSION_PARAM, key);
    return handle.href;
  };

  const logout = async (context: Attached, endSessionRequested: boolean): Promise<ReplyResults['logout']> => {
    let ended: StoredTokens | null = null;
    const result: ReplyResults['logout'] = await context.binding.session.logout((tokens) => (ended = tokens));
    const tokens = ended as StoredTokens | null;
    // The session is already gone in every tab; revocation tells the server (RFC 7009).
    const revocable = tokens?.refreshToken ?? tokens?.accessToken;
    if (revocable !== undefined) {
      await revoke(context, revocable).catch((error: unknown) => context.binding.log?.(`could not revoke the token: ${(error as Error).message}`));
    }
    if (endSessionRequested) {
      const url = await endSession(context, tokens?.idToken).catch(() => null);
      if (url !== null) result.navigate = url;
    }
    return result;
  };

  /**
   * `snapshot` with the signed-in user while the session is usable: the claims this login stored
   * with the tokens (the session's record in memory is the one the snapshot was made from).
   */
  const withUser = (snapshot: SessionSnapshot): SessionSnapshot => {
    const user = attached?.binding.session.current?.tokens?.user;
    if (snapshot.state === 'authenticated' && user) snapshot.user = user;
    return snapshot;
  };

  const login: WorkerLogin = {
    attach(binding) {
      if (attached !== null) throw new TypeError(msg`Failed to install the token injector: this login is already attached to a worker`);
      // The core takes the config's own refresh first; the login refreshes with its token endpoint only.
      if (binding.refresh !== login.refresh) throw new TypeError(msg`Failed to install the token injector: login must be what oidcLogin() returns, without refresh`);
      const scope = new URL(binding.scope);
      if (checked.redirectUri.origin !== scope.origin || !checked.redirectUri.pathname.startsWith(scope.pathname)) {
        throw new TypeError(msg`Failed to install the token injector: login redirectUri ${checked.redirectUri.href} lies outside the worker's scope ${scope.href}`);
      }
      const postLogout = checked.postLogoutRedirectUri ?? scope;
      if (postLogout.origin !== scope.origin) throw new TypeError(msg`Failed to install the token injector: login postLogoutRedirectUri must be on the worker's origin`);
      const db = openLoginDatabase(binding.databaseName);
      const discovery = createDiscovery(checked.issuer, db, checked.insecure);
      attached = {
        binding,
        origin: scope.origin,
        discovery,
        pending: createPendingLogins(db),
        failures: createLoginFailures(db, binding.log),
        postLogout,
        resources: loginResources(checked.authorizationParams, binding.rules),
      };
      // Warm: the endpoints the guard checks are known soon after start. Not at once: the login's database
      // opened beside the session's delays the session's read, and opened just after it, the response of a
      // restarted worker's first request (bench/cold-trace.ts).
      setTimeout(() => discovery.get().catch((error: unknown) => binding.log?.((error as Error).message)), WARM_DELAY_MS);
    },

    async staticRoutes() {
      const as = await need().discovery.get().catch(() => null);
      const pattern = (url: URL, pathname = literal(url.pathname)) => ({
        protocol: literal(url.protocol.slice(0, -1)),
        hostname: literal(url.hostname),
        port: literal(url.port),
        pathname,
      });
      const conditions: RouterCondition[] = [{ urlPattern: pattern(checked.redirectUri), requestMode: 'navigate' }];
      // The endpoints pages are refused at must reach the fetch event; without metadata, the issuer's whole origin.
      if (as === null) conditions.push({ urlPattern: pattern(checked.issuer, '*') });
      else for (const endpoint of protectedEndpoints(as)) conditions.push({ urlPattern: pattern(new URL(endpoint)) });
      return conditions;
    },

    intercept(event) {
      if (attached === null) return null;
      const request = event.request;
      const url = new URL(request.url);
      if (request.mode === 'navigate') {
        const isCallback = url.origin === checked.redirectUri.origin && url.pathname === checked.redirectUri.pathname;
        return isCallback ? callback(event, url, attached) : null;
      }
      const guarded = guard(request, url, attached);
      if (guarded !== null || nonces === null) return guarded;
      // With DPoP the login answers the allowlisted requests: a bound token needs a proof per request.
      const rule = routeRequest(request, attached.binding.matcher);
      const { session, log } = attached.binding;
      return typeof rule === 'string' ? null : respondWithDpop(request, rule, { session, nonces, canRetry: true, log });
    },

    changed: withUser,

    message(message, window) {
      const context = attached;
      if (context === null) return undefined;
      switch (message.type) {
        case 'hello':
          // The session first: the login database, read once per worker life for a failure kept
          // before a stop, would slow the session's own first read if opened beside it.
          return context.binding.session
            .snapshot()
            .then(async (snapshot) => ({ ...withUser(snapshot), version: VERSION, loginFailed: await context.failures.take(window) }));
        case 'handoff':
          return checked.allowHandoff
            ? undefined
            : Promise.reject(
                new BearerSwError('not-allowed', msg`Failed to hand off tokens: the worker runs the login itself; pass allowHandoff: true to oidcLogin to accept tokens from pages`),
              );
        case 'login':
          return Promise.resolve(message.payload).then((payload) => start(context, parseLoginPayload(payload, window.url)));
        case 'logout':
          return logout(context, (Object(message.payload) as { endSession?: unknown }).endSession === true);
        default:
          return undefined;
      }
    },

    async refresh(refreshToken, signal, target): Promise<TokenSet> {
      const as = await need()
        .discovery.get()
        .catch((cause: unknown) => {
          throw new RefreshUnavailableError(msg`Failed to refresh tokens: the authorization server could not be discovered`, { cause });
        });
      // The key of the session this refresh token belongs to (the refresh runs on the stored record).
      const stored = need().binding.session.current?.tokens;
      const key = nonces !== null && stored?.refreshToken === refreshToken ? stored.dpopKey : undefined;
      const send = (headers?: Record<string, string>) => {
        const options: oauth.TokenEndpointRequestOptions = { ...requestOptions(signal), ...(headers !== undefined && { headers }) };
        // A rule's `resource` or `audience` asks for a token for exactly that API (RFC 8707).
        if (target !== undefined) options.additionalParameters = { [target.parameter]: target.value };
        return oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options);
      };
      let response: Response;
      try {
        response = key === undefined || nonces === null ? await send() : await sendTokenRequest(key, nonces, String(as.token_endpoint), send);
      } catch (cause) {
        throw new RefreshUnavailableError(msg`Failed to refresh tokens: the token endpoint could not be reached`, { cause });
      }
      let result: oauth.TokenEndpointResponse;
      try {
        result = await oauth.processRefreshTokenResponse(as, client, response);
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError && (error.status === 400 || error.status === 401)) {
          const code = oauthCode(error.error);
          throw new RefreshRejectedError(msg`Failed to refresh tokens: the server refused the refresh token (${code})`, { cause: error, oauthError: code });
        }
        throw new RefreshUnavailableError(msg`Failed to refresh tokens: ${(error as Error).message}`, { cause: error });
      }
      // Outside the try: a refusal of our own must reach the session as it is, and end it.
      if (key !== undefined && result.token_type !== 'dpop') {
        // The stored key would sign proofs for a token not bound to it: end the session instead.
        throw new RefreshRejectedError(msg`Failed to refresh tokens: the server did not bind the new tokens to the DPoP key (token_type is not DPoP)`, {
          oauthError: 'unbound_token',
        });
      }
      const tokens: TokenSet = { accessToken: result.access_token };
      if (result.refresh_token !== undefined) tokens.refreshToken = result.refresh_token;
      if (result.expires_in !== undefined) tokens.expiresIn = result.expires_in;
      return tokens;
    },
  };
  return login;
}
