import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider, { errors } from 'oidc-provider';
import type { Configuration } from 'oidc-provider';

import { LOOPBACK_HOST } from './loopback.js';

/** Options of {@link startOidcProvider}. */
export interface OidcProviderOptions {
  /** Origin of the app (e.g. `http://localhost:5173`): the only origin allowed to call the token endpoint with CORS. */
  appOrigin: string;
  /** Resource indicator and `aud` of the API's JWT access tokens (e.g. `http://localhost:5173/api`). */
  apiAudience: string;
  /** Lifetime of access tokens, in seconds. Default 20. */
  accessTokenTtl?: number;
  /** Client id of the one registered SPA client. Default `bearer-sw-demo`. */
  clientId?: string;
  /** The SPA client's only redirect URI. */
  redirectUri: string;
  /** Require a server nonce in DPoP proofs at the token endpoint (RFC 9449 §8). Default `false`; DPoP itself is always on. */
  dpopNonce?: boolean;
  /** DPoP support at all. Default `true`; `false` plays a provider that ignores proofs and issues Bearer tokens. */
  dpop?: boolean;
  /** Register the client with `dpop_bound_access_tokens` (RFC 9449 §5.2): token requests without a proof are refused. Default `false`. */
  requireDpop?: boolean;
  /**
   * More APIs (RFC 8707 resource indicators) the client may get access tokens for, each a JWT with
   * that `aud`: one grant, one refresh token, a token per resource. Default none.
   */
  extraAudiences?: string[];
}

/** Counters fed by the provider's `grant.success` events; the object is live. */
export interface OidcStats {
  /** Successful `refresh_token` grants at the token endpoint. */
  refreshGrants: number;
  /** Successful `authorization_code` grants at the token endpoint. */
  codeGrants: number;
}

/** What the provider handed out and received, recorded as it happened (live arrays), for tests that scan for credentials. */
export interface OidcRecord {
  /** Every successful token endpoint response's tokens, oldest first. */
  issued: Array<{ grantType: string; accessToken: string; refreshToken?: string; idToken?: string; tokenType?: string }>;
  /** The authorization codes sent to a redirect URI, with the `state` they came with. */
  codes: Array<{ code: string; state: string | null }>;
  /** The PKCE `code_verifier` of every code exchange. */
  verifiers: string[];
  /** Authorization requests, their parameters as received (single-valued ones). */
  authorizations: Array<Record<string, string>>;
  /** The `resource` parameters of each authorization request, in order (RFC 8707 §2.1: one per resource). */
  authorizationResources: string[][];
  /** Requests to the revocation endpoint: the token and the HTTP status answered. */
  revocations: Array<{ token: string; tokenTypeHint?: string; status: number }>;
  /** Requests to the end-session endpoint (RP-initiated logout), their parameters. */
  endSessions: Array<Record<string, string>>;
  /** Every request to the token endpoint: its grant type, the `Origin` it came with, the status answered, the `resource` it named (RFC 8707 §2.2) if any. */
  tokenRequests: Array<{ grantType: string | undefined; origin: string | undefined; status: number; dpop: boolean; error?: string; resource?: string }>;
  /** Every `refresh_token` grant request: the refresh token it presented, the `resource` it named, the status answered. */
  refreshes: Array<{ refreshToken: string; resource?: string; status: number }>;
}

/** Changes an ID token's claims before the token endpoint answers; the result is signed with the provider's own key. */
export type IdTokenTamper = (claims: JWTPayload) => JWTPayload;

/** A running in-memory OpenID Provider; see {@link startOidcProvider}. */
export interface OidcServer {
  /** `http://localhost:<port>`: the `iss` of every token. */
  issuer: string;
  port: number;
  /** `http://127.0.0.1:<port>`: where Node code should connect. */
  nodeOrigin: string;
  /** `<issuer>/token`. */
  tokenEndpoint: string;
  /** `<issuer>/jwks`. */
  jwksUri: string;
  /** `<issuer>/auth`. */
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  appOrigin: string;
  apiAudience: string;
  /** {@link OidcProviderOptions.extraAudiences}. */
  extraAudiences: string[];
  /** The scope of access tokens for {@link OidcServer.apiAudience}. */
  apiScope: string;
  /** Live counters of successful grants. */
  stats: OidcStats;
  /** What was issued and received (live). */
  record: OidcRecord;
  /** `<issuer>/token/revocation`. */
  revocationEndpoint: string;
  /** `<issuer>/session/end`. */
  endSessionEndpoint: string;
  /**
   * From now on, rewrite the ID token of every token endpoint response with `tamper` and re-sign it
   * with the provider's key (a valid signature on wrong claims), or with `foreignKey` a key of its
   * own under the same `kid` (a signature the provider's JWKS does not verify); `null` stops.
   */
  tamperIdTokens(tamper: IdTokenTamper | null, options?: { foreignKey?: boolean }): void;
  /** Whether a refresh token is still valid at the provider (not revoked, not expired, its grant alive). */
  isRefreshTokenValid(refreshToken: string): Promise<boolean>;
  /** Destroys every grant and its refresh tokens and codes, so the next refresh gets `invalid_grant`; resolves to how many grants it destroyed. Issued JWT access tokens stay valid until they expire. */
  revokeAllGrants(): Promise<number>;
  /** Stops the server, dropping open connections. */
  close(): Promise<void>;
}

const API_SCOPE = 'api:read';

/**
 * Starts `oidc-provider` on `127.0.0.1:0` with its default in-memory adapter, its development login and consent
 * pages, and one public SPA client that must use PKCE (S256), gets a refresh token that rotates on every use, and
 * gets JWT access tokens for `apiAudience` from both the code and the refresh grant without passing `resource`.
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcServer> {
  const { appOrigin, apiAudience, redirectUri } = options;
  const accessTokenTtl = options.accessTokenTtl ?? 20;
  const clientId = options.clientId ?? 'bearer-sw-demo';
  const audiences = new Set([apiAudience, ...(options.extraAudiences ?? [])]);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://localhost:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'fixture-rs256', alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [`${appOrigin}/`],
        ...(options.requireDpop === true && { dpop_bound_access_tokens: true }),
      },
    ],
    // Scope claims go into the ID token too (the worker's login shows them as `session.user`).
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, name: `User ${sub}`, email: `${sub}@example.test` }) }),
    // Public clients must use PKCE; oidc-provider v9 only knows S256.
    pkce: { required: () => true },
    // A refresh token for this client on every code exchange, whether or not `offline_access` was granted, and
    // one that does not die with the browser session.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: () => false,
    // Rotate on every use. Presenting a rotated (consumed) refresh token again revokes the whole grant.
    rotateRefreshToken: true,
    clientBasedCORS: (_ctx, origin, client) => client.clientId === clientId && origin === appOrigin,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      // oidc-provider's default, spelled out: a token request with a DPoP proof gets tokens bound to its key
      // (public clients' refresh tokens too); `requireNonce` makes the token endpoint ask for its nonce first.
      dPoP: { enabled: options.dpop !== false, nonceSecret: randomBytes(32), requireNonce: () => options.dpopNonce === true },
      resourceIndicators: {
        enabled: true,
        // Authorization requests without `resource` are for the API.
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? apiAudience,
        // Token requests without `resource` get a token for the granted API, even with the `openid` scope
        // (otherwise they would get an opaque token for the userinfo endpoint).
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (!audiences.has(resourceIndicator)) throw new errors.InvalidTarget();
          return { audience: resourceIndicator, scope: API_SCOPE, accessTokenFormat: 'jwt', accessTokenTTL: accessTokenTtl };
        },
      },
    },
  };

  const provider = new Provider(issuer, configuration);

  const record: OidcRecord = { issued: [], codes: [], verifiers: [], authorizations: [], revocations: [], endSessions: [], tokenRequests: [], refreshes: [], authorizationResources: [] };
  let tamper: IdTokenTamper | null = null;
  let tamperKey: CryptoKey = privateKey;
  const foreignKey = (await generateKeyPair('RS256')).privateKey;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const paramsOf = (params: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(params ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  provider.use(async (ctx, next) => {
    await next();
    const path = ctx.path;
    if (path === '/auth' && ctx.oidc?.params) {
      record.authorizations.push(paramsOf(ctx.oidc.params as Record<string, unknown>));
      const resource: unknown = ctx.oidc.params['resource'];
      record.authorizationResources.push(typeof resource === 'string' ? [resource] : Array.isArray(resource) ? resource.map(String) : []);
    }
    if (path === '/token' && ctx.method === 'POST') {
      const error = text((ctx.body as Record<string, unknown> | undefined)?.['error']);
      const grantType = text(ctx.oidc?.params?.['grant_type']);
      const resource = text(ctx.oidc?.params?.['resource']);
      record.tokenRequests.push({
        grantType,
        origin: ctx.get('origin') || undefined,
        status: ctx.status,
        dpop: ctx.get('dpop') !== '',
        ...(error && { error }),
        ...(resource && { resource }),
      });
      const refreshToken = text(ctx.oidc?.params?.['refresh_token']);
      if (grantType === 'refresh_token' && refreshToken !== undefined) record.refreshes.push({ refreshToken, status: ctx.status, ...(resource && { resource }) });
    }
    if (path === '/token/revocation') {
      const token = text(ctx.oidc?.params?.['token']);
      const hint = text(ctx.oidc?.params?.['token_type_hint']);
      if (token !== undefined) record.revocations.push({ token, status: ctx.status, ...(hint && { tokenTypeHint: hint }) });
    }
    if (path === '/session/end' && ctx.method === 'GET') record.endSessions.push(paramsOf(ctx.oidc?.params as Record<string, unknown> | undefined));
    const location = String(ctx.response.get('location') ?? '');
    if (location.startsWith(redirectUri)) {
      const callback = new URL(location);
      const code = callback.searchParams.get('code');
      if (code !== null) record.codes.push({ code, state: callback.searchParams.get('state') });
    }
    const body = ctx.body as Record<string, unknown> | undefined;
    if (path === '/token' && ctx.status === 200 && typeof body?.['id_token'] === 'string' && tamper !== null) {
      const idToken = body['id_token'];
      const { kid, alg } = decodeProtectedHeader(idToken);
      body['id_token'] = await new SignJWT(tamper(decodeJwt(idToken)))
        .setProtectedHeader({ alg: alg ?? 'RS256', ...(kid && { kid }), typ: 'JWT' })
        .sign(tamperKey);
    }
  });

  const stats: OidcStats = { refreshGrants: 0, codeGrants: 0 };
  provider.on('grant.success', (ctx) => {
    const grantType = ctx.oidc.params?.['grant_type'];
    if (grantType === 'refresh_token') stats.refreshGrants += 1;
    if (grantType === 'authorization_code') stats.codeGrants += 1;
    const verifier = text(ctx.oidc.params?.['code_verifier']);
    if (verifier !== undefined) record.verifiers.push(verifier);
    const body = ctx.body as Record<string, unknown>;
    const accessToken = text(body['access_token']);
    const refreshToken = text(body['refresh_token']);
    const idToken = text(body['id_token']);
    const tokenType = text(body['token_type']);
    if (accessToken !== undefined) {
      record.issued.push({ grantType: String(grantType), accessToken, ...(refreshToken && { refreshToken }), ...(idToken && { idToken }), ...(tokenType && { tokenType }) });
    }
  });

  // The memory adapter cannot list its entries, so remember which grants exist.
  const grantIds = new Set<string>();
  provider.on('grant.saved', (grant) => grantIds.add(grant.jti));
  provider.on('grant.destroyed', (grant) => grantIds.delete(grant.jti));
  provider.on('grant.revoked', (_ctx, grantId) => grantIds.delete(grantId));

  server.on('request', provider.callback());

  return {
    issuer,
    port,
    nodeOrigin: `http://${LOOPBACK_HOST}:${port}`,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    authorizationEndpoint: `${issuer}/auth`,
    clientId,
    redirectUri,
    appOrigin,
    apiAudience,
    extraAudiences: [...audiences].filter((audience) => audience !== apiAudience),
    apiScope: API_SCOPE,
    stats,
    record,
    revocationEndpoint: `${issuer}/token/revocation`,
    endSessionEndpoint: `${issuer}/session/end`,
    tamperIdTokens(next, options = {}) {
      tamper = next;
      tamperKey = options.foreignKey === true ? foreignKey : privateKey;
    },
    async isRefreshTokenValid(refreshToken) {
      const token = await provider.RefreshToken.find(refreshToken);
      if (!token || token.isExpired) return false;
      return (await provider.Grant.find(token.grantId!)) !== undefined;
    },
    async revokeAllGrants() {
      let destroyed = 0;
      for (const grantId of [...grantIds]) {
        grantIds.delete(grantId);
        const grant = await provider.Grant.find(grantId);
        await Promise.all([
          provider.AccessToken.revokeByGrantId(grantId),
          provider.RefreshToken.revokeByGrantId(grantId),
          provider.AuthorizationCode.revokeByGrantId(grantId),
        ]);
        if (grant) {
          await grant.destroy();
          destroyed += 1;
        }
      }
      return destroyed;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
