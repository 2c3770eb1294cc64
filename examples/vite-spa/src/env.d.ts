/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The provider's authorization endpoint, e.g. `https://auth.example.com/authorize`. */
  readonly VITE_AUTHORIZATION_ENDPOINT: string;
  /** The provider's token endpoint: the page's code exchange and the worker's refreshes. */
  readonly VITE_TOKEN_ENDPOINT: string;
  /** The app's OAuth client id (a public client: PKCE, no secret). */
  readonly VITE_CLIENT_ID: string;
  /** The API's origin: the only origin the worker sends the token to. */
  readonly VITE_API_ORIGIN: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
