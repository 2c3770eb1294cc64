// The app's settings, fixed at build time from VITE_* variables (.env, or the environment).
function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`Failed to start the app: ${name} is not set (see .env.example)`);
  return value;
}

/** Where the app logs in and which API it calls. */
const apiOrigin = required('VITE_API_ORIGIN', import.meta.env.VITE_API_ORIGIN);

export const env = {
  apiOrigin,
  authorizationEndpoint: required('VITE_AUTHORIZATION_ENDPOINT', import.meta.env.VITE_AUTHORIZATION_ENDPOINT),
  tokenEndpoint: required('VITE_TOKEN_ENDPOINT', import.meta.env.VITE_TOKEN_ENDPOINT),
  clientId: required('VITE_CLIENT_ID', import.meta.env.VITE_CLIENT_ID),
  /** The `resource` to ask the provider for (RFC 8707); default: the API's origin. */
  apiAudience: import.meta.env.VITE_API_AUDIENCE || apiOrigin,
  buildLabel: import.meta.env.VITE_BUILD_LABEL || 'dev',
};
