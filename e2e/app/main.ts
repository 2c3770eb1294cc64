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
const events: Array<{ type: string; state: string; reason?: string; code?: string; message?: string; user?: string | null; at: number }> = [];
const rawMessages: unknown[] = [];
/** Every message that arrived on any MessagePort of this page (the worker's replies travel on those). */
const portMessages: unknown[] = [];
{
  // Test instrumentation: see every reply the page module receives, to scan it for credentials.
  const listen = MessagePort.prototype.addEventListener;
  MessagePort.prototype.addEventListener = function (this: MessagePort, type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
    if (type === 'message') listen.call(this, 'message', (event) => portMessages.push((event as MessageEvent).data), options);
    if (listener !== null) listen.call(this, type, listener, options);
  } as typeof listen;
}
/** Content-Security-Policy violations this page saw (`securitypolicyviolation`). */
const violations: Array<{ directive: string; blockedURI: string; sample: string }> = [];
/** Window messages (`window.postMessage`) this page received, from frames say. */
const windowMessages: unknown[] = [];

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.addEventListener('message', (event) => rawMessages.push(event.data));
  navigator.serviceWorker.startMessages();
}
document.addEventListener('securitypolicyviolation', (event) =>
  violations.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample }),
);
window.addEventListener('message', (event) => windowMessages.push(event.data));

/** The subset of Trusted Types the harness uses (TypeScript's DOM lib does not have it yet). */
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): { createScriptURL(input: string): unknown };
}

const harness = {
  controlledAtLoad: 'serviceWorker' in navigator && navigator.serviceWorker.controller !== null,
  events,
  rawMessages,
  portMessages,
  violations,
  windowMessages,

  /**
   * `trustedTypesPolicy`: pass the worker URL as a `TrustedScriptURL` made by a policy of that
   * name, as a page under `require-trusted-types-for 'script'` must.
   */
  async register(
    options: { timeout?: number; classic?: boolean; trustedTypesPolicy?: string } = {},
  ): Promise<StepResult<{ state: string; controlled: boolean }>> {
    try {
      const registerOptions: { type: WorkerType; timeout?: number } = { type: options.classic ? 'classic' : 'module' };
      if (options.timeout !== undefined) registerOptions.timeout = options.timeout;
      const url = options.classic ? '/sw-classic.js' : '/sw.js';
      let scriptURL: Parameters<typeof registerTokenInjector>[0] = url;
      if (options.trustedTypesPolicy !== undefined) {
        const trustedTypes = (window as unknown as { trustedTypes: TrustedTypesLike }).trustedTypes;
        const policy = trustedTypes.createPolicy(options.trustedTypesPolicy, {
          createScriptURL: (input) => {
            if (input !== url) throw new TypeError(`not a worker script of this app: ${input}`);
            return input;
          },
        });
        scriptURL = policy.createScriptURL(url) as typeof scriptURL;
      }
      session = await registerTokenInjector(scriptURL, registerOptions);
      const s = session;
      s.addEventListener('statechange', () => events.push({ type: 'statechange', state: s.state, user: s.user?.sub ?? null, at: Date.now() }));
      s.addEventListener('login-failed', (event) =>
        events.push({ type: 'login-failed', state: s.state, code: event.detail.code, message: event.detail.message, at: Date.now() }),
      );
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

  /** `session.user` (the validated ID token's claims), or `null`. */
  user(): Record<string, unknown> | null {
    return session?.user ?? null;
  },

  /**
   * Starts `session.login(options)` in the next task, so the step returns before the tab navigates
   * (a driver's script call does not survive the navigation). A refusal lands in `events` as
   * `login-error` with its code.
   */
  login(options: { returnTo?: string; prompt?: string; loginHint?: string } = {}): StepResult<{ scheduled: true }> {
    if (session === null) return failure(new Error('register first'));
    const s = session;
    setTimeout(() => {
      s.login(options).catch((error: Error & { code?: string }) =>
        events.push({ type: 'login-error', state: s.state, code: error.code ?? error.name, message: error.message, at: Date.now() }),
      );
    }, 0);
    return { ok: true, scheduled: true };
  },

  /** `session.login()` awaited: for refusals (no navigation follows them). */
  async loginNow(options: { returnTo?: string; prompt?: string } = {}): Promise<StepResult> {
    try {
      if (session === null) throw new Error('register first');
      await session.login(options);
      return { ok: true };
    } catch (error) {
      return failure(error);
    }
  },

  /**
   * Everything this tab holds that a script could read, as text, for scanning: URL, history,
   * DOM, window globals, storages, cookies, performance entries, every message received.
   */
  exposedText(): string {
    const globals: Record<string, unknown> = {};
    for (const key of Object.keys(window)) {
      if (key === 'harness') continue;
      try {
        globals[key] = JSON.stringify((window as unknown as Record<string, unknown>)[key]);
      } catch {
        globals[key] = String((window as unknown as Record<string, unknown>)[key]);
      }
    }
    const storage = (area: Storage) => Object.fromEntries(Object.keys(area).map((key) => [key, area.getItem(key)]));
    return JSON.stringify({
      url: location.href,
      referrer: document.referrer,
      history: { length: history.length, state: history.state },
      navigation: 'navigation' in window ? (window as unknown as { navigation: { entries(): Array<{ url: string | null }> } }).navigation.entries().map((e) => e.url) : null,
      dom: document.documentElement.outerHTML,
      globals,
      localStorage: storage(localStorage),
      sessionStorage: storage(sessionStorage),
      cookies: document.cookie,
      performance: performance.getEntries().map((entry) => entry.name),
      events,
      rawMessages,
      portMessages,
      windowMessages,
    });
  },

  async logout(options: { endSession?: boolean } = {}): Promise<StepResult<{ state: string }>> {
    try {
      if (session === null) throw new Error('register first');
      await session.logout(options);
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

  /** The README's Supabase recipe with the real supabase-js: sign in, hand off, keep nothing. */
  async supabaseSignIn(project: { url: string; apiKey: string }, email: string, password: string): Promise<StepResult<{ userId: string }>> {
    try {
      if (session === null) throw new Error('register first');
      const recipe = await import('./supabase-recipe.js');
      return { ok: true, ...(await recipe.signInAndHandOff(session, project, email, password)) };
    } catch (error) {
      return failure(error);
    }
  },

  /** `select *` through a supabase-js client whose requests carry the worker's token. */
  async supabaseSelect(project: { url: string; apiKey: string }, table: string): Promise<StepResult<{ status: number; rows: unknown; error: string | null }>> {
    try {
      const recipe = await import('./supabase-recipe.js');
      return { ok: true, ...(await recipe.selectAll(project, table)) };
    } catch (error) {
      return failure(error);
    }
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

  /**
   * Loads a URL the way one kind of markup or API does; resolves with what the page saw
   * ('load', 'error', a status) once it settled. Kinds and their request mode:
   * no-cors `img`, `script`, `stylesheet`, `beacon`; cors `img-anonymous`, `module`, `xhr`,
   * `event-source`; navigate `iframe`, `form-get`, `form-post`.
   */
  request(kind: RequestKind, url: string): Promise<string> {
    return new Promise((resolve) => {
      const element = (tag: string, setup: (el: HTMLElement) => void) => {
        const el = document.createElement(tag);
        el.addEventListener('load', () => resolve('load'));
        el.addEventListener('error', () => resolve('error'));
        setup(el);
        document.body.append(el);
      };
      switch (kind) {
        case 'img':
          return element('img', (el) => ((el as HTMLImageElement).src = url));
        case 'img-anonymous':
          return element('img', (el) => {
            (el as HTMLImageElement).crossOrigin = 'anonymous';
            (el as HTMLImageElement).src = url;
          });
        case 'script':
          return element('script', (el) => ((el as HTMLScriptElement).src = url));
        case 'module':
          return element('script', (el) => {
            (el as HTMLScriptElement).type = 'module';
            (el as HTMLScriptElement).src = url;
          });
        case 'stylesheet':
          return element('link', (el) => {
            (el as HTMLLinkElement).rel = 'stylesheet';
            (el as HTMLLinkElement).href = url;
          });
        case 'iframe':
          return element('iframe', (el) => ((el as HTMLIFrameElement).src = url));
        case 'form-get':
        case 'form-post': {
          const name = `target-${Math.random().toString(36).slice(2)}`;
          const frame = document.createElement('iframe');
          frame.name = name;
          frame.addEventListener('load', () => resolve('load'), { once: true });
          document.body.append(frame);
          const form = document.createElement('form');
          form.action = url;
          form.method = kind === 'form-get' ? 'get' : 'post';
          form.target = name;
          const field = document.createElement('input');
          field.name = 'field';
          field.value = 'value';
          form.append(field);
          document.body.append(form);
          form.submit();
          return;
        }
        case 'xhr': {
          const xhr = new XMLHttpRequest();
          xhr.open('GET', url);
          xhr.onload = () => resolve(String(xhr.status));
          xhr.onerror = () => resolve('error');
          try {
            xhr.send();
          } catch {
            resolve('error');
          }
          return;
        }
        case 'beacon':
          return resolve(navigator.sendBeacon(url, 'beacon-body') ? 'queued' : 'refused');
        case 'event-source': {
          const source = new EventSource(url);
          source.onopen = () => {
            source.close();
            resolve('open');
          };
          source.onerror = () => {
            source.close();
            resolve('error');
          };
          return;
        }
      }
    });
  },

  /**
   * Asks a dedicated Worker of this page to reach the service worker, as a script in it would:
   * reports what it found and whether any reply came.
   */
  dedicatedWorkerProbe(): Promise<unknown> {
    return new Promise((resolve) => {
      const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (event) => {
        worker.terminate();
        resolve(event.data);
      };
      worker.onerror = (event) => resolve({ error: event.message });
    });
  },

  /**
   * Registers a second, unrelated worker of this origin (`/forger-sw.js`, scope `/forger/`) and has
   * it post `messages` to every window of the origin, this one included, as any same-origin worker
   * can. Resolves with how many windows it reached.
   */
  async forgeFromOtherWorker(messages: unknown[]): Promise<StepResult<{ reached: number }>> {
    try {
      const registration = await navigator.serviceWorker.register('/forger-sw.js', { scope: '/forger/' });
      const worker = registration.active ?? registration.waiting ?? registration.installing;
      if (worker === null) throw new Error('no forger worker');
      if (worker.state !== 'activated') {
        await new Promise<void>((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
      }
      const reached = await new Promise<number>((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(Number(event.data));
        worker.postMessage(messages, [channel.port2]);
      });
      return { ok: true, reached };
    } catch (error) {
      return failure(error);
    }
  },
};

type RequestKind =
  | 'img'
  | 'img-anonymous'
  | 'script'
  | 'module'
  | 'stylesheet'
  | 'iframe'
  | 'form-get'
  | 'form-post'
  | 'xhr'
  | 'beacon'
  | 'event-source';

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.documentElement.dataset.ready = 'true';
