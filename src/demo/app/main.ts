// The demo SPA: registers the worker, asks it to log in (the worker runs the authorization-code flow; the page
// never sees a token, code or verifier), calls the API with plain fetch(), and shows what the servers saw. `window.demo` exposes the same actions as the buttons, for the driver.
import './styles.css';

import { registerTokenInjector, type Session } from 'bearer-sw/client';
import config from '/demo-config.js';

import type { DemoStatus } from '../demo-config.js';
import { callServer } from './api-client.js';
import type { CallOutcome, CallTarget, DemoPageApi } from './demo-page-api.js';
import { EventLog } from './event-log.js';
import { Poller } from './poller.js';
import { RequestLog } from './request-log.js';
import { StatusView } from './status-view.js';

const TAB_KEY = 'bearer-sw-demo:tab';
/** Tabs tell each other about their requests, so each tab's log shows them all (no token is in a message). */
const LOG_CHANNEL = 'bearer-sw-demo:requests';
const STATUS_INTERVAL_MS = 1000;

/** The tab's name: `?tab=` when given, else what this tab was called before the login navigation, else a random one. */
function tabName(): string {
  const name =
    new URL(location.href).searchParams.get('tab') ?? sessionStorage.getItem(TAB_KEY) ?? crypto.randomUUID().slice(0, 4).toUpperCase();
  sessionStorage.setItem(TAB_KEY, name);
  return name;
}

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`Failed to start the demo page: #${id} is missing`);
  return found as T;
}

async function refreshCounters(view: StatusView): Promise<void> {
  const response = await fetch('/demo/status', { cache: 'no-store' }).catch(() => null);
  if (response?.ok) view.counters((await response.json()) as DemoStatus);
}

async function start(): Promise<void> {
  const tab = tabName();
  const view = new StatusView(config, tab);
  const requests = new RequestLog(element<HTMLTableSectionElement>('requests'));
  const channel = new BroadcastChannel(LOG_CHANNEL);
  channel.addEventListener('message', (event: MessageEvent<{ tab: string; outcomes: CallOutcome[] }>) => {
    requests.add(event.data.tab, event.data.outcomes);
  });
  const events = new EventLog(element<HTMLOListElement>('events'));
  void refreshCounters(view);
  setInterval(() => void refreshCounters(view), STATUS_INTERVAL_MS);

  let session: Session;
  try {
    session = await registerTokenInjector('/sw.js', { type: 'module' });
  } catch (error) {
    view.error(error instanceof Error ? error.message : String(error));
    document.documentElement.dataset.ready = 'error';
    return;
  }
  const controlled = navigator.serviceWorker.controller !== null;
  view.worker(controlled ? 'Active · controls this tab' : 'Active · not controlling this tab');
  events.note(controlled ? 'worker registered · controls this tab' : 'worker registered · not in control', controlled ? 'ok' : 'bad');

  let ended: string | undefined;
  session.addEventListener('statechange', () => {
    if (session.state === 'authenticated') ended = undefined;
    events.add({ type: 'statechange', state: session.state, at: Date.now() });
    view.session(session.state, ended);
  });
  session.addEventListener('session-invalid', (event) => {
    ended = event.detail.reason;
    events.add({ type: 'session-invalid', state: session.state, reason: event.detail.reason, at: Date.now() });
    view.session(session.state, ended);
  });

  let loginError: string | null = null;
  session.addEventListener('login-failed', (event) => {
    loginError = `${event.detail.code}: ${event.detail.message}`;
    view.error(loginError);
  });
  view.session(session.state, ended);
  if (session.user !== null) events.note(`signed in as ${String(session.user.name ?? session.user.sub)} · the worker holds the tokens`, 'ok');
  events.note(`page ready · ${session.state === 'authenticated' ? 'signed in' : 'signed out'}`, session.state === 'authenticated' ? 'ok' : 'neutral');

  const record = (outcomes: CallOutcome[]) => {
    requests.add(tab, outcomes);
    channel.postMessage({ tab, outcomes });
    view.saw(outcomes);
    void refreshCounters(view);
  };
  const call = async (target: CallTarget, path: string) => {
    const outcome = await callServer(config, tab, target, path);
    record([outcome]);
    return outcome;
  };
  const poller = new Poller(() => call('api', '/v1/me'));

  const api: DemoPageApi = {
    tab,
    state: () => session.state,
    controlled: () => navigator.serviceWorker.controller !== null,
    events: () => [...events.events],
    loginError: () => loginError,
    call,
    async burst(count, path) {
      const outcomes = await Promise.all(Array.from({ length: count }, () => callServer(config, tab, 'api', path)));
      record(outcomes);
      return outcomes;
    },
    startPolling: (intervalMs) => poller.start(intervalMs),
    stopPolling: () => poller.stop(),
    login: () => session.login(),
    logout: () => session.logout(),
    user: () => (session.user === null ? null : { sub: session.user.sub, name: typeof session.user.name === 'string' ? session.user.name : null }),
    async postToTokenEndpoint() {
      // What an injected script would try: redeem a code or a refresh token itself, with no worker in between.
      const response = await fetch(config.tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: config.clientId, refresh_token: 'stolen-or-guessed' }),
      }).catch(() => null);
      if (response === null) return { status: 0, error: null };
      const body = (await response.json().catch(() => ({}))) as { error?: unknown };
      return { status: response.status, error: typeof body.error === 'string' ? body.error : null };
    },
  };
  window.demo = api;

  const onClick = (id: string, action: () => Promise<unknown>) =>
    element<HTMLButtonElement>(id).addEventListener('click', () => {
      action().catch((error: unknown) => view.error(error instanceof Error ? error.message : String(error)));
    });
  onClick('login', api.login);
  onClick('logout', api.logout);
  onClick('call-api', () => api.call('api', '/v1/me'));
  onClick('burst', () => api.burst(20, '/v1/items'));
  onClick('call-third-party', () => api.call('third-party', '/collect'));
  const pollButton = element<HTMLButtonElement>('poll');
  pollButton.addEventListener('click', () => {
    if (poller.running) void poller.stop();
    else poller.start(500);
    pollButton.textContent = poller.running ? 'Stop polling' : 'Poll every 0.5 s';
  });

  document.documentElement.dataset.ready = 'true';
}

void start();
