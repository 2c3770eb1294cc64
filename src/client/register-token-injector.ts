import { BearerSwError } from '../shared/errors.js';
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
  /** How long any wait on the worker may take, in ms. Default 10 000. */
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

/** The registration's active worker, or its installing or waiting one once that has activated. */
function activeWorker({ active, installing, waiting }: ServiceWorkerRegistration, timeout: number): Promise<ServiceWorker> {
  const worker = active ?? installing ?? waiting;
  if (worker === null) return Promise.reject(failure('registration-failed', ACTION, 'the registration has no worker'));
  return withTimeout(timeout, ACTION, 'the service worker did not activate', (resolve, reject, signal) => {
    const check = () => {
      if (worker === active || worker.state === 'activated') resolve(worker);
      else if (worker.state === 'redundant') reject(failure('registration-failed', ACTION, 'the service worker failed to install or activate'));
    };
    worker.addEventListener('statechange', check, { signal });
    check();
  });
}

/** Resolves once the worker controls the page; an uncontrolled page (first load, hard reload) asks it to claim. */
async function controlled(container: ServiceWorkerContainer, active: ServiceWorker, timeout: number): Promise<void> {
  if (container.controller !== null) return;
  await Promise.all([
    sendRequest(active, 'claim', ACTION, timeout),
    withTimeout<void>(timeout, ACTION, 'the service worker did not take control of this page', (resolve, _reject, signal) => {
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
 * @param options - `scope`, `type` (`'module'` for an ESM worker), `timeout` in ms
 * @returns the page's {@link Session}
 * @throws BearerSwError `invalid-argument` without `scriptURL` in a page the `bearerSw()` plugin
 *   did not build; `unsupported` without service workers (they need https or localhost),
 *   `registration-failed`, `timeout`, `no-controller` when the page lies outside the scope
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
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
    throw failure('unsupported', ACTION, 'service workers are not available here (they need https or localhost)');
  }
  const container = navigator.serviceWorker;
  let registration: ServiceWorkerRegistration;
  try {
    // The script URL goes on as given: a TrustedScriptURL must reach the register() sink untouched.
    // `scope` and `type` are register()'s own options; it ignores `timeout`.
    registration = await container.register(scriptURL as string | URL, options);
  } catch (cause) {
    throw new BearerSwError('registration-failed', `Failed to ${ACTION}: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  if (!location.href.startsWith(registration.scope)) {
    throw failure('no-controller', ACTION, `this page is outside the worker's scope ${registration.scope}`);
  }
  const active = await activeWorker(registration, timeout);
  await controlled(container, active, timeout);
  const hello = await sendRequest(registration.active ?? active, 'hello', ACTION, timeout, { version: VERSION });
  const version = (Object(hello) as { version?: unknown }).version;
  if (version !== VERSION) console.warn(`[bearer-sw] the page module is ${VERSION} but the worker is ${version}; reload to update`);
  // Resolved as register() resolves it: against the document's base URL.
  const session = new Session({ container, registration, scriptURL: new URL(String(scriptURL), document.baseURI).href, timeout }, hello);
  container.startMessages();
  return session;
}
