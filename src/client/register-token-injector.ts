import { BearerSwError } from '../shared/errors.js';
import { VERSION } from '../shared/version.js';
import { sendRequest } from './send-request.js';
import { Session } from './session.js';

/** Options of {@link registerTokenInjector}. */
export interface RegisterOptions {
  /** Registration scope, as for `navigator.serviceWorker.register`. */
  scope?: string;
  /** `'module'` for an ES-module worker script, `'classic'` (default) otherwise. */
  type?: WorkerType;
  /** How long any wait on the worker may take, in ms. Default 10 000. */
  timeout?: number;
}

const DEFAULT_TIMEOUT = 10_000;

/**
 * A Trusted Types `TrustedScriptURL`, as `trustedTypes.createPolicy(…).createScriptURL()` returns
 * it; declared by shape because TypeScript's DOM lib does not have Trusted Types yet.
 */
export interface TrustedScriptURLLike {
  toJSON(): string;
  toString(): string;
}

function withTimeout<T>(
  timeout: number,
  action: string,
  reason: string,
  start: (resolve: (value: T) => void, reject: (error: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup = () => undefined as void;
    const timer = setTimeout(() => {
      cleanup();
      reject(new BearerSwError('timeout', `Failed to ${action}: ${reason} within ${timeout} ms`));
    }, timeout);
    cleanup = start(
      (value) => {
        clearTimeout(timer);
        cleanup();
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        cleanup();
        reject(error);
      },
    );
  });
}

const ACTION = 'register the token injector';

function waitForActive(registration: ServiceWorkerRegistration, timeout: number): Promise<ServiceWorker> {
  if (registration.active !== null) return Promise.resolve(registration.active);
  const pending = registration.installing ?? registration.waiting;
  if (pending === null) {
    return Promise.reject(new BearerSwError('registration-failed', `Failed to ${ACTION}: the registration has no worker`));
  }
  return withTimeout(timeout, ACTION, 'the service worker did not activate', (resolve, reject) => {
    const onChange = () => {
      if (pending.state === 'activated') resolve(pending);
      else if (pending.state === 'redundant') {
        reject(new BearerSwError('registration-failed', `Failed to ${ACTION}: the service worker failed to install or activate`));
      }
    };
    pending.addEventListener('statechange', onChange);
    onChange();
    return () => pending.removeEventListener('statechange', onChange);
  });
}

async function waitForControl(container: ServiceWorkerContainer, active: ServiceWorker, timeout: number): Promise<void> {
  if (container.controller !== null) return;
  // Uncontrolled: first load, or a hard reload (which bypasses the worker). Ask it to claim us.
  const controlled = withTimeout<void>(timeout, ACTION, 'the service worker did not take control of this page', (resolve) => {
    const onChange = () => {
      if (container.controller !== null) resolve();
    };
    container.addEventListener('controllerchange', onChange);
    onChange();
    return () => container.removeEventListener('controllerchange', onChange);
  });
  await Promise.all([sendRequest(active, 'claim', undefined, { timeout, action: ACTION }), controlled]);
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
 *   `register()` refuses plain strings there
 * @param options - `scope`, `type` (`'module'` for an ESM worker), `timeout` in ms
 * @returns the page's {@link Session}
 * @throws BearerSwError `unsupported` without service workers (they need https or localhost),
 *   `registration-failed`, `timeout`, `no-controller` when the page lies outside the scope
 * @example
 * ```ts
 * import { registerTokenInjector } from 'bearer-sw/client'
 * const session = await registerTokenInjector('/sw.js', { type: 'module' })
 * await session.handoff({ accessToken, refreshToken, expiresIn })
 * ```
 */
export async function registerTokenInjector(scriptURL: string | URL | TrustedScriptURLLike, options: RegisterOptions = {}): Promise<Session> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new TypeError(`Failed to ${ACTION}: timeout must be a positive number of ms`);
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) {
    throw new BearerSwError('unsupported', `Failed to ${ACTION}: service workers are not available here (they need https or localhost)`);
  }
  const container = navigator.serviceWorker;
  // Resolved as register() resolves it: against the document's base URL.
  const absoluteURL = new URL(String(scriptURL), document.baseURI).href;
  let registration: ServiceWorkerRegistration;
  try {
    const registerOptions: RegistrationOptions = {};
    if (options.scope !== undefined) registerOptions.scope = options.scope;
    if (options.type !== undefined) registerOptions.type = options.type;
    // Passed on as given: a TrustedScriptURL must reach the register() sink untouched.
    registration = await container.register(scriptURL as string | URL, registerOptions);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new BearerSwError('registration-failed', `Failed to ${ACTION}: ${reason}`, { cause });
  }
  if (!location.href.startsWith(registration.scope)) {
    throw new BearerSwError('no-controller', `Failed to ${ACTION}: this page is outside the worker's scope ${registration.scope}`);
  }
  const active = await waitForActive(registration, timeout);
  await waitForControl(container, active, timeout);
  const hello = await sendRequest(registration.active ?? active, 'hello', { version: VERSION }, { timeout, action: ACTION });
  if (hello.version !== VERSION) {
    console.warn(`[bearer-sw] the page module is ${VERSION} but the worker is ${hello.version}; reload to update`);
  }
  const session = new Session({ container, registration, scriptURL: absoluteURL, timeout }, hello);
  container.startMessages();
  return session;
}
