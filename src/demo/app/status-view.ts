import type { SessionState } from 'bearer-sw/client';

import type { DemoConfig, DemoStatus } from '../demo-config.js';
import type { CallOutcome } from './demo-page-api.js';

function byId(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`Failed to start the demo page: #${id} is missing`);
  return element;
}

/** The cards at the top of the page: session, worker, token endpoint counters, plus the error banner. */
export class StatusView {
  readonly #state = byId('state');
  readonly #reason = byId('reason');
  readonly #user = byId('user');
  readonly #worker = byId('worker');
  readonly #refreshes = byId('refreshes');
  readonly #codes = byId('codes');
  readonly #banner = byId('banner');
  readonly #login = byId('login') as HTMLButtonElement;
  readonly #logout = byId('logout') as HTMLButtonElement;

  constructor(config: DemoConfig, tab: string) {
    byId('tab').textContent = `Tab ${tab}`;
    document.title = `bearer-sw demo · tab ${tab}`;
    byId('allowlist').textContent = `${config.apiOrigin.replace('http://', '')} /v1`;
    byId('refresh-policy').textContent = `token lives ${config.accessTokenTtl} s, refreshed ${config.refreshLeewaySeconds} s early`;
  }

  /** Shows the session state; `ended` gives the `session-invalid` reason when the session was lost. */
  session(state: SessionState, ended?: string): void {
    const shown = ended === undefined ? state : 'ended';
    this.#state.dataset.state = shown;
    this.#state.textContent = shown === 'authenticated' ? 'Signed in' : shown === 'ended' ? 'Session ended' : 'Signed out';
    this.#reason.textContent = ended === undefined ? '' : `session-invalid: ${ended}`;
    this.#reason.hidden = ended === undefined;
    if (state !== 'authenticated') this.#user.textContent = '—';
    this.#login.disabled = state === 'authenticated';
    this.#logout.disabled = state !== 'authenticated';
  }

  worker(text: string): void {
    this.#worker.textContent = text;
  }

  /** Shows the subject the API last verified. */
  saw(outcomes: CallOutcome[]): void {
    const verified = outcomes.find((outcome) => outcome.target === 'api' && outcome.token?.verified === true);
    if (verified?.token?.verified) this.#user.textContent = verified.token.sub;
  }

  counters(status: DemoStatus): void {
    this.#refreshes.textContent = String(status.refreshCalls);
    this.#codes.textContent = `${status.codeGrants} code exchange${status.codeGrants === 1 ? '' : 's'} · ${status.apiRequests} API requests`;
  }

  error(message: string): void {
    this.#banner.textContent = message;
    this.#banner.hidden = false;
  }
}
