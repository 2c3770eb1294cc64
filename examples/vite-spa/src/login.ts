// The login, kept apart so it can be swapped: an authorization-code flow with PKCE done by the
// page, whose tokens go straight from the token endpoint's answer to the worker
// (`session.handoff`); the page keeps none of them.
import type { Session } from 'bearer-sw/client';

const env = import.meta.env;
/** sessionStorage key of the pending login's PKCE verifier and state (no token; removed at the callback). */
const PENDING = 'example:pending-login';
/** The redirect URI's path: under the app's `base`, like every page of the app. */
export const CALLBACK_PATH = `${import.meta.env.BASE_URL}callback`;

const redirectUri = () => new URL(CALLBACK_PATH, location.origin).href;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Sends the browser to the provider's login page. */
export async function startLogin(): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(env.VITE_AUTHORIZATION_ENDPOINT);
  url.search = new URLSearchParams({
    client_id: env.VITE_CLIENT_ID,
    redirect_uri: redirectUri(),
    response_type: 'code',
    // A refresh token needs offline_access; oidc-provider grants it only with prompt=consent.
    scope: 'openid offline_access api:read',
    prompt: 'consent',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** At the redirect URI: checks `state`, exchanges the code and hands the tokens to the worker. */
export async function completeLogin(session: Session, callback: URL): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  if (pending === null) throw new Error('Failed to log in: no login was started in this tab');
  const error = callback.searchParams.get('error');
  if (error !== null) throw new Error(`Failed to log in: the provider answered ${error}`);
  const code = callback.searchParams.get('code');
  if (callback.searchParams.get('state') !== pending.state || code === null) throw new Error('Failed to log in: bad state or no code');
  const response = await fetch(env.VITE_TOKEN_ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: env.VITE_CLIENT_ID, redirect_uri: redirectUri(), code, code_verifier: pending.verifier }),
  });
  const body = (await response.json()) as { access_token?: string; refresh_token?: string; expires_in?: number; error?: string };
  if (!response.ok || body.access_token === undefined) throw new Error(`Failed to log in: the token endpoint answered ${response.status} ${body.error ?? ''}`);
  await session.handoff({ accessToken: body.access_token, ...(body.refresh_token && { refreshToken: body.refresh_token }), ...(body.expires_in && { expiresIn: body.expires_in }) });
}
