/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The OpenID Provider's issuer (`https://auth.example.com`): the worker discovers its endpoints there. */
  readonly VITE_ISSUER: string;
  /** The app's OAuth client id (a public client: PKCE, no secret). */
  readonly VITE_CLIENT_ID: string;
  /** The API's origin: the only origin the worker sends the token to, and the token's audience (`resource`). */
  readonly VITE_API_ORIGIN: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
