import { VERSION } from '../shared/version.js';
import { failure } from './failure.js';
import { sendRequest } from './send-request.js';
import { Session } from './session.js';
import { withTimeout } from './with-timeout.js';

/** Options of {@link registerTokenInjector}. */
export interface RegisterOptions {
  /** Registration scope, as for `navigator.serviceWorker.register`. */
  scope?: string;
  /** `'module'` for an ES-module worker script, `'classic'` (default) otherwise. */
  type?: WorkerType;
  /**
   * In ms, default 10 000: the bound on the whole registration (register, activate, take control,
   * hello), one overall deadline however the time is spread; then on each later request of the
   * {@link Session} to the worker.
   */
  timeout?: number;
}

/**
 * A Trusted Types `TrustedScriptURL`, as `trustedTypes.createPolicy(…).createScriptURL()` returns
 * it; declared by shape because TypeScript's DOM lib does not have Trusted Types yet.
 */
export interface TrustedScriptURLLike {
  toJSON(): string;
  toString(): string;
}

const ACTION = 'register the token injector';

/**
 * The registration's active worker, or its installing or waiting one once that has activated.
 * No timer of its own: the registration's one deadline bounds it, and `signal` removes its listener.
 */
function activeWorker({ active, installing, waiting }: ServiceWorkerRegistration, signal: AbortSignal): Promise<ServiceWorker> {
  const worker = active ?? installing ?? waiting;
  return new Promise((resolve, reject) => {
    const failed = () => reject(failure('registration-failed', ACTION, 'the worker failed to install or activate'));
    // (A registration register() resolved always has a worker; none at all fails the same way.)
    if (worker === null) return failed();
    const check = () => {
      if (worker === active || worker.state === 'activated') resolve(worker);
      else if (worker.state === 'redundant') failed();
    };
    worker.addEventListener('statechange', check, { signal });
    check();
  });
}

/** Resolves once the worker controls the page; an uncontrolled page (first load, hard reload) asks it to claim. */
async function controlled(container: ServiceWorkerContainer, active: ServiceWorker, timeout: number, signal: AbortSignal): Promise<void> {
  if (container.controller !== null) return;
  await Promise.all([
    sendRequest(active, 'claim', ACTION, timeout),
    new Promise<void>((resolve) => {
      const check = () => container.controller !== null && resolve();
      container.addEventListener('controllerchange', check, { signal });
      check();
    }),
  ]);
}

/**
 * Registers the app's service worker (which calls `installTokenInjector`) and connects this page
 * to it.
 *
 * Resolves only once the worker is active and controls this page, so the page's next `fetch()`
 * goes through it. After a hard reload, which leaves the page uncontrolled, it asks the worker to
 * claim the page.
 *
 * @param scriptURL - the app's worker script, e.g. `'/sw.js'`; under Trusted Types
 *   (`require-trusted-types-for 'script'`) a `TrustedScriptURL` from the app's own policy, since
 *   `register()` refuses plain strings there. Omitted: the URL and scope the `bearerSw()` Vite
 *   plugin (`bearer-sw/vite`) wrote into the page, for its classic worker
 * @param options - `scope`, `type` (`'module'` for an ESM worker), `timeout`: the bound on the whole
 *   registration in ms (default 10 000)
 * @returns the page's {@link Session}
 * @throws BearerSwError `invalid-argument` without `scriptURL` in a page the `bearerSw()` plugin
 *   did not build; `unsupported` without service workers (they need https or localhost),
 *   `registration-failed`, `timeout` (the whole registration took longer than `timeout`),
 *   `no-controller` when the page lies outside the scope, `version-mismatch` when the worker runs
 *   another protocol version of bearer-sw (a deploy in progress: see the README)
 * @example
 * ```ts
 * import { registerTokenInjector } from 'bearer-sw/client'
 * const session = await registerTokenInjector('/sw.js', { type: 'module' })
 * // or, with bearerSw() in vite.config.ts: await registerTokenInjector()
 * await session.handoff({ accessToken, refreshToken, expiresIn })
 * ```
 */
export async function registerTokenInjector(scriptURL?: string | URL | TrustedScriptURLLike, options: RegisterOptions = {}): Promise<Session> {
  if (scriptURL === undefined) {
    // Written into every page by bearerSw() (`bearer-sw/vite`): the worker's URL and scope.
    const meta = document.querySelector<HTMLMetaElement>('meta[name=bearer-sw]');
    if (!meta) throw failure('invalid-argument', ACTION, 'no script URL, and no bearerSw() meta tag');
    scriptURL = meta.content;
    options = { scope: meta.dataset['scope'] as string, ...options };
  }
  const timeout = options.timeout ?? 10_000;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new TypeError(`Failed to ${ACTION}: timeout must be a positive number of ms`);
  // Absent outside a secure context (the property is [SecureContext]) and where there is no navigator.
  const container = globalThis.navigator?.serviceWorker;
  if (!container) throw failure('unsupported', ACTION, 'no service workers here (they need https or localhost)');
  // One deadline for the whole registration (register(), activation, control, hello), however the
  // time is spread; the steps' listeners go when it settles, either way.
  return withTimeout<Session>(timeout, ACTION, 'the worker was not ready', (resolve, reject, signal) => {
    void (async () => {
      let registration: ServiceWorkerRegistration;
      try {
        // The script URL goes on as given: a TrustedScriptURL must reach the register() sink untouched.
        // `scope` and `type` are register()'s own options; it ignores `timeout`.
        registration = await container.register(scriptURL as string | URL, options);
      } catch (cause) {
        throw failure('registration-failed', ACTION, `${(cause as Error)?.message ?? cause}`, { cause });
      }
      if (!location.href.startsWith(registration.scope)) {
        throw failure('no-controller', ACTION, `this page is outside the worker's scope ${registration.scope}`);
      }
      const active = await activeWorker(registration, signal);
      await controlled(container, active, timeout, signal);
      // The protocol version, not the release, decides whether page and worker can talk (checked by
      // both sides on every message); releases that share it work together.
      const hello = await sendRequest(registration.active ?? active, 'hello', ACTION, timeout, { version: VERSION });
      // Resolved as register() resolves it: against the document's base URL.
      resolve(new Session({ container, registration, scriptURL: new URL(String(scriptURL), document.baseURI).href, timeout }, hello));
      container.startMessages();
    })().catch(reject);
  });
}
