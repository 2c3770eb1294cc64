// The app's settings, fixed at build time from VITE_* variables (.env, or the environment); read
// by the page and the worker alike.
function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`Failed to start the app: ${name} is not set (see .env.example)`);
  return value;
}

/** Which API the app calls. */
const apiOrigin = required('VITE_API_ORIGIN', import.meta.env.VITE_API_ORIGIN);

export const env = {
  apiOrigin,
  /** The OpenID Provider's issuer: the worker discovers its endpoints at `<issuer>/.well-known/openid-configuration`. */
  issuer: required('VITE_ISSUER', import.meta.env.VITE_ISSUER),
  /** The app's public client id at the provider. */
  clientId: required('VITE_CLIENT_ID', import.meta.env.VITE_CLIENT_ID),
  /** The `resource` to ask the provider for (RFC 8707); default: the API's origin. */
  apiAudience: import.meta.env.VITE_API_AUDIENCE || apiOrigin,
  buildLabel: import.meta.env.VITE_BUILD_LABEL || 'dev',
};
