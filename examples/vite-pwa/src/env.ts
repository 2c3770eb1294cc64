// The app's settings, fixed at build time from VITE_* variables (.env, or the environment).
function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`Failed to start the app: ${name} is not set (see .env.example)`);
  return value;
}

/** Where the app logs in and which API it calls. */
export const env = {
  apiOrigin: required('VITE_API_ORIGIN', import.meta.env.VITE_API_ORIGIN),
  authorizationEndpoint: required('VITE_AUTHORIZATION_ENDPOINT', import.meta.env.VITE_AUTHORIZATION_ENDPOINT),
  tokenEndpoint: required('VITE_TOKEN_ENDPOINT', import.meta.env.VITE_TOKEN_ENDPOINT),
  clientId: required('VITE_CLIENT_ID', import.meta.env.VITE_CLIENT_ID),
  apiAudience: required('VITE_API_AUDIENCE', import.meta.env.VITE_API_AUDIENCE),
  buildLabel: import.meta.env.VITE_BUILD_LABEL ?? 'dev',
};
