// The SPA's login: an OAuth 2.0 authorization-code flow with PKCE, done by the page itself. The tokens go straight
// from the token endpoint's answer to the worker; the page keeps none of them.
import type { Session } from 'bearer-sw/client';

import type { DemoConfig } from '../demo-config.js';
import { createPkceRequest } from './pkce.js';

/** sessionStorage key of the pending request's verifier and state (not a token; removed at the callback). */
const PENDING_KEY = 'bearer-sw-demo:pending-login';

/**
 * Sends the browser to the provider's authorization endpoint, with a PKCE challenge. `prompt=login consent` asks for
 * the login form every time, so logging in again after a logout shows it too.
 */
export async function startLogin(config: DemoConfig): Promise<void> {
  const request = await createPkceRequest();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier: request.verifier, state: request.state }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    response_type: 'code',
    scope: config.scope,
    prompt: 'login consent',
    resource: config.apiAudience,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

function readPending(): { verifier: string; state: string } {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending: unknown = raw === null ? null : JSON.parse(raw);
  if (typeof pending !== 'object' || pending === null) throw new Error('Failed to log in: no login was started in this tab');
  const { verifier, state } = pending as Record<string, unknown>;
  if (typeof verifier !== 'string' || typeof state !== 'string') throw new Error('Failed to log in: the pending login is malformed');
  return { verifier, state };
}

/**
 * Finishes the login at the redirect URI: checks `state`, exchanges the code (with the PKCE verifier) at the token
 * endpoint, and hands the tokens to the worker.
 *
 * @throws Error `Failed to log in: …` when the provider refused, the state does not match or the exchange failed
 */
export async function completeLogin(session: Session, config: DemoConfig, callback: URL): Promise<void> {
  const pending = readPending();
  const error = callback.searchParams.get('error');
  if (error !== null) throw new Error(`Failed to log in: the provider answered ${error}`);
  if (callback.searchParams.get('state') !== pending.state) throw new Error('Failed to log in: the state does not match');
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error('Failed to log in: no code in the redirect');

  const response = await fetch(config.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      code,
      code_verifier: pending.verifier,
    }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Failed to log in: the token endpoint answered ${response.status} ${String(body.error ?? '')}`);
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = body;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresIn !== 'number') {
    throw new Error('Failed to log in: the token endpoint answered without access_token, refresh_token or expires_in');
  }
  await session.handoff({ accessToken, refreshToken, expiresIn });
}
