// The test app: every scenario step is a function on `window.harness` that takes and returns
// plain JSON, so any driver (Playwright, puppeteer, WebDriver) can run the same steps.
import { registerTokenInjector, type Session } from 'bearer-sw/client';

export interface StepError {
  ok: false;
  name: string;
  message: string;
  code?: string;
}
export type StepResult<T = unknown> = ({ ok: true } & T) | StepError;

export interface FetchOutcome {
  status: number;
  body: string;
  type: string;
}

function failure(error: unknown): StepError {
  const e = error as Error & { code?: string };
  const result: StepError = { ok: false, name: e?.name ?? 'Error', message: e?.message ?? String(error) };
  if (typeof e?.code === 'string') result.code = e.code;
  return result;
}

let session: Session | null = null;
const events: Array<{ type: string; state: string; reason?: string; at: number }> = [];
const rawMessages: unknown[] = [];

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => rawMessages.push(event.data));
  navigator.serviceWorker.startMessages();
}

const harness = {
  controlledAtLoad: 'serviceWorker' in navigator && navigator.serviceWorker.controller !== null,
  events,
  rawMessages,

  async register(options: { timeout?: number; classic?: boolean } = {}): Promise<StepResult<{ state: string; controlled: boolean }>> {
    try {
      const registerOptions: { type: WorkerType; timeout?: number } = { type: options.classic ? 'classic' : 'module' };
      if (options.timeout !== undefined) registerOptions.timeout = options.timeout;
      session = await registerTokenInjector(options.classic ? '/sw-classic.js' : '/sw.js', registerOptions);
      const s = session;
      s.addEventListener('statechange', () => events.push({ type: 'statechange', state: s.state, at: Date.now() }));
      s.addEventListener('session-invalid', (event) =>
        events.push({ type: 'session-invalid', state: s.state, reason: event.detail.reason, at: Date.now() }),
      );
      return { ok: true, state: session.state, controlled: navigator.serviceWorker.controller !== null };
    } catch (error) {
      return failure(error);
    }
  },

  state(): string | null {
    return session?.state ?? null;
  },

  async handoff(tokens: unknown): Promise<StepResult<{ state: string }>> {
    try {
      if (session === null) throw new Error('register first');
      // Deliberately untyped: malformed input is part of what is tested.
      await session.handoff(tokens as never);
      return { ok: true, state: session.state };
    } catch (error) {
      return failure(error);
    }
  },

  async logout(): Promise<StepResult<{ state: string }>> {
    try {
      if (session === null) throw new Error('register first');
      await session.logout();
      return { ok: true, state: session.state };
    } catch (error) {
      return failure(error);
    }
  },

  async getAccessToken(): Promise<StepResult<{ token: string | null }>> {
    try {
      if (session === null) throw new Error('register first');
      return { ok: true, token: await session.getAccessToken() };
    } catch (error) {
      return failure(error);
    }
  },

  async fetch(url: string, init: RequestInit = {}): Promise<StepResult<FetchOutcome>> {
    try {
      const response = await fetch(url, init);
      return { ok: true, status: response.status, type: response.type, body: response.type === 'opaqueredirect' ? '' : await response.text() };
    } catch (error) {
      return failure(error);
    }
  },

  async fetchMany(urls: string[]): Promise<Array<StepResult<FetchOutcome>>> {
    return Promise.all(urls.map((url) => harness.fetch(url)));
  },

  /** Sends a hand-made message to the active worker; resolves with its reply or 'no-reply'. */
  async postRaw(data: unknown, options: { withPort?: boolean; waitMs?: number } = {}): Promise<unknown> {
    const registration = await navigator.serviceWorker.getRegistration();
    const worker = registration?.active;
    if (!worker) return 'no-worker';
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('no-reply'), options.waitMs ?? 1000);
      if (options.withPort === false) {
        worker.postMessage(data);
        return;
      }
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => {
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.postMessage(data, [channel.port2]);
    });
  },

  /** Loads a resource the way markup does (no-cors): resolves when it loaded or failed. */
  loadElement(kind: 'img' | 'script', url: string): Promise<'load' | 'error'> {
    return new Promise((resolve) => {
      const element = document.createElement(kind);
      element.addEventListener('load', () => resolve('load'));
      element.addEventListener('error', () => resolve('error'));
      element.src = url;
      document.body.append(element);
    });
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.documentElement.dataset.ready = 'true';
