import * as oauth from 'oauth4webapi';
import { BearerSwError, type ErrorCode } from '../../shared/errors.js';
import type { DpopNonceMemory } from '../dpop/dpop-nonce-memory.js';
import { sendTokenRequest } from '../dpop/send-token-request.js';
import { parseTokenSet } from '../../shared/token-set.js';
import type { UserClaims } from '../../shared/protocol.js';
import type { TokenSet } from '../../shared/token-set.js';
import type { PendingLogin } from './login-database.js';
import type { CheckedLoginOptions } from './login-options.js';
import { oauthCode } from './oauth-code.js';
import { userClaims } from './user-claims.js';
import type { IdTokenVerifier } from './verify-id-token.js';
import { msg } from '../../shared/message.js';

/** A finished login: the tokens, and the ID token with its validated claims. */
export interface LoginResult {
  tokens: TokenSet;
  /** The raw ID token: kept in the worker only, for `id_token_hint` at logout. */
  idToken: string;
  /** Its validated claims, protocol claims removed: what pages see as `session.user`. */
  user: UserClaims;
  /** With DPoP: the key pair the tokens are bound to (`token_type` `DPoP`, checked). */
  dpopKey?: CryptoKeyPair;
}

/** What {@link completeLogin} works with. */
export interface CompleteLoginContext {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  options: CheckedLoginOptions;
  idTokens: IdTokenVerifier;
  /** Options of every token endpoint request (timeout, http on loopback). */
  requestOptions(): oauth.TokenEndpointRequestOptions;
  /** With DPoP: the new session's key pair and the worker's nonce memory. */
  dpop?: { keyPair: CryptoKeyPair; nonces: DpopNonceMemory };
  /**
   * The resource to name at the code exchange (RFC 8707 §2.2), when the authorization request
   * asked for several: a server issues an access token for one (oidc-provider refuses to pick).
   */
  resource?: string;
}

function fail(code: ErrorCode, reason: string, cause?: unknown): never {
  throw new BearerSwError(code, msg`Failed to log in: ${reason}`, { cause });
}

/**
 * Whether an oauth4webapi processing error is about the ID token rather than the response as a
 * whole: its claims, its timestamps, or the JWT itself (its `alg`, its form), the only JWT a code
 * exchange's response is checked for.
 */
function isIdTokenError(error: oauth.OperationProcessingError): boolean {
  return error.code === oauth.JWT_CLAIM_COMPARISON || error.code === oauth.JWT_TIMESTAMP_CHECK || /ID Token|JWT/.test(error.message);
}

/**
 * Finishes a login from the server's response at the redirect URI: checks `iss` (RFC 9207) and
 * the state with oauth4webapi's `validateAuthResponse`, exchanges the code with the PKCE verifier,
 * checks the ID token's claims (`iss`, `aud`, `azp`, `nonce`, `exp`, `iat`) with
 * `processAuthorizationCodeResponse`, and its signature against the server's keys with jose.
 *
 * @param callback - the redirect URI as the server called it
 * @param pending - the login this response answers (already taken: single use)
 * @returns the tokens, the raw ID token (worker only) and the user's claims
 * @throws BearerSwError `login-denied` (the server answered with an error such as `access_denied`),
 *   `login-response-invalid` (wrong `iss`, no code), `login-exchange-failed`, `login-id-token-invalid`
 * @example
 * ```ts
 * const result = await completeLogin(new URL(event.request.url), pending, context)
 * ```
 */
export async function completeLogin(callback: URL, pending: PendingLogin, context: CompleteLoginContext): Promise<LoginResult> {
  const { as, client, options } = context;
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback.searchParams, pending.key);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) fail('login-denied', msg`the authorization server answered ${oauthCode(error.error)}`, error);
    fail('login-response-invalid', msg`the authorization response is not valid (${(error as Error).message})`, error);
  }

  // Before the code is spent: without keys, no ID token this exchange returns could be checked.
  if (typeof as.jwks_uri !== 'string') fail('login-id-token-invalid', msg`the authorization server publishes no jwks_uri to check the ID token with`);

  let response: Response;
  try {
    const exchange = (headers?: Record<string, string>) =>
      oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, options.redirectUri.href, pending.verifier, {
        ...context.requestOptions(),
        ...(headers !== undefined && { headers }),
        ...(context.resource !== undefined && { additionalParameters: { resource: context.resource } }),
      });
    const { dpop } = context;
    response = dpop === undefined ? await exchange() : await sendTokenRequest(dpop.keyPair, dpop.nonces, String(as.token_endpoint), exchange);
  } catch (error) {
    fail('login-exchange-failed', msg`the token endpoint could not be reached`, error);
  }
  let result: oauth.TokenEndpointResponse;
  try {
    result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) fail('login-exchange-failed', msg`the token endpoint refused the code (${oauthCode(error.error)})`, error);
    if (error instanceof oauth.OperationProcessingError && isIdTokenError(error)) {
      fail('login-id-token-invalid', msg`the ID token is not valid (${error.message})`, error);
    }
    fail('login-exchange-failed', msg`the token response is not valid (${(error as Error).message})`, error);
  }

  // oauth4webapi lower-cases token_type. A server that ignored the proof issued Bearer tokens, which
  // the worker would then send as DPoP: refuse rather than downgrade what the app asked for.
  if (context.dpop !== undefined && result.token_type !== 'dpop') {
    fail('login-exchange-failed', msg`the authorization server did not bind the tokens to the DPoP key (token_type is not DPoP)`);
  }
  const idToken = result.id_token;
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (idToken === undefined || claims === undefined) fail('login-id-token-invalid', msg`the token response has no ID token`);
  try {
    await context.idTokens.verify(idToken, as.jwks_uri);
  } catch (error) {
    fail('login-id-token-invalid', msg`the ID token's signature does not verify against the server's keys (${(error as Error).name})`, error);
  }

  let tokens;
  try {
    tokens = parseTokenSet(
      { accessToken: result.access_token, refreshToken: result.refresh_token, expiresIn: result.expires_in },
      'log in',
    );
  } catch (error) {
    // Its message already says `Failed to log in: …` (the action passed above).
    throw new BearerSwError('login-exchange-failed', (error as Error).message, { cause: error });
  }
  const login: LoginResult = { tokens, idToken, user: userClaims(claims as { sub: string } & Record<string, unknown>) };
  if (context.dpop !== undefined) login.dpopKey = context.dpop.keyPair;
  return login;
}
