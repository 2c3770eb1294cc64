// The login: an OAuth 2.0 authorization-code flow with PKCE, done by the page. The tokens go from
// the token endpoint's answer straight to the worker (session.handoff); the page keeps none.
import type { Session } from 'bearer-sw/client';
import { env } from './env.js';

const PENDING = 'pwa-example:pending-login';
const REDIRECT_PATH = '/callback';

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Sends the browser to the provider, with a fresh PKCE verifier and state kept in sessionStorage. */
export async function startLogin(): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(env.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: env.clientId,
    redirect_uri: new URL(REDIRECT_PATH, location.origin).href,
    response_type: 'code',
    scope: 'openid offline_access api:read',
    prompt: 'login consent',
    resource: env.apiAudience,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/** Whether this page load is the provider's redirect back. */
export function isLoginCallback(): boolean {
  return location.pathname === REDIRECT_PATH;
}

/**
 * Finishes the login at the redirect: checks `state`, exchanges the code at the token endpoint
 * and hands the tokens to the worker.
 *
 * @throws Error `Failed to log in: …`
 */
export async function completeLogin(session: Session): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  const params = new URLSearchParams(location.search);
  history.replaceState(null, '', '/');
  if (pending === null) throw new Error('Failed to log in: no login was started in this tab');
  if (params.get('error')) throw new Error(`Failed to log in: the provider answered ${params.get('error')}`);
  if (params.get('state') !== pending.state) throw new Error('Failed to log in: the state does not match');
  const response = await fetch(env.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: env.clientId,
      redirect_uri: new URL(REDIRECT_PATH, location.origin).href,
      code: params.get('code') ?? '',
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') throw new Error(`Failed to log in: the token endpoint answered ${response.status}`);
  await session.handoff({
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' && { refreshToken: body.refresh_token }),
    ...(typeof body.expires_in === 'number' && { expiresIn: body.expires_in }),
  });
}
