/**
 * What the demo's page and worker read from `/demo-config.js`, which the demo's app server generates for each run
 * (the ports are only known once every server listens). The worker's allowlist is still code served by the app's
 * own origin; no page can change it.
 */
export interface DemoConfig {
  /** `http://localhost:<port>`: the SPA's own origin. */
  appOrigin: string;
  /** `http://localhost:<port>`: the API, the one allowlisted origin (paths under `/v1`). */
  apiOrigin: string;
  /** `http://localhost:<port>`: a third-party origin that must never see a token. */
  thirdPartyOrigin: string;
  /** The OpenID Provider's issuer: the worker discovers its endpoints. */
  issuer: string;
  /** The provider's token endpoint: only the worker calls it; the demo shows a page script refused there. */
  tokenEndpoint: string;
  /** The SPA's public client id. */
  clientId: string;
  /** `<appOrigin>/callback`. */
  redirectUri: string;
  /** The resource indicator (and JWT `aud`) of the API's access tokens. */
  apiAudience: string;
  /** Scope the SPA asks for at login. */
  scope: string;
  /** Lifetime of an access token, in seconds. */
  accessTokenTtl: number;
  /** The worker refreshes a token this many seconds before it expires. */
  refreshLeewaySeconds: number;
}

/** What the demo's servers have recorded, served as JSON at `/demo/status` on the app's origin. */
export interface DemoStatus {
  /** Refresh-token grants that reached the token endpoint (as the provider recorded them, answered or not). */
  refreshCalls: number;
  /** Of those, the ones the provider answered with new tokens. */
  refreshGrants: number;
  /** Authorization codes exchanged for tokens. */
  codeGrants: number;
  /** Requests the API has received (CORS preflights not counted). */
  apiRequests: number;
}
