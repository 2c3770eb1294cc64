/**
 * `bearer-sw/worker/workbox`: host bearer-sw in a worker that has other fetch handlers (Workbox,
 * vite-plugin-pwa's `injectManifest`). Spread {@link workboxComposition} into the config of
 * `installTokenInjector`; the injector itself knows nothing of it, so an app that does not import
 * it pays nothing for it.
 *
 * @packageDocumentation
 */
// Types only: this module needs nothing of the injector at run time.
import type { RouterRule } from './static-routes.js';
import { msg } from '../shared/message.js';

// The members used here, typed structurally so the module also type-checks where tests import it
// with the DOM lib (ServiceWorkerGlobalScope is in the WebWorker lib only).
declare const self: {
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install', listener: (event: ExtendableEvent & { addRoutes?: (rules: RouterRule[]) => Promise<void> }) => void): void;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
};
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

/** How a new version of the worker takes over from the one controlling the pages. */
export type Activation = 'immediate' | 'prompt';

/** Options of {@link workboxComposition}. */
export interface WorkboxCompositionOptions {
  /**
   * `'immediate'` (default, vite-plugin-pwa's `registerType: 'autoUpdate'`): a new version skips
   * waiting at install. `'prompt'` (`registerType: 'prompt'`): it waits until a page of its origin
   * posts `{ type: 'SKIP_WAITING' }`, as workbox-window's `messageSkipWaiting()` and
   * vite-plugin-pwa's `updateSW(true)` do. Either way it claims the pages when it activates, and
   * the session, kept in IndexedDB, carries over.
   */
  activation?: Activation;
}

/** What {@link workboxComposition} puts into the injector's config. */
export interface WorkboxComposition {
  /** `false` with `activation: 'prompt'`: the injector then leaves waiting to the page. */
  skipWaiting: boolean;
}

// URLPattern syntax characters; anything else in a pattern string stands for itself.
const literal = (text: string) => text.replace(/[\\+*?:{}()]/g, '\\$&');

/**
 * The static route a worker that shares its fetch event adds before the injector's: every request
 * for the worker's own origin goes to its fetch listeners, where Workbox's precache, navigation
 * route and runtime caching see it. The injector's routes, added after it, then only ever see
 * other origins' requests (those no rule matches, and `no-cors` ones no `upgradeNoCors` rule asked
 * for, still skip the worker). A navigation is always for the worker's origin (a worker only sees
 * those of its scope), so none goes past Workbox.
 *
 * @param origin - the worker's own origin, `self.location.origin`
 * @returns a rule for `InstallEvent.addRoutes`
 * @example
 * ```ts
 * sameOriginRoute('https://app.example.com')
 * // { condition: { urlPattern: { protocol: 'https', hostname: 'app.example.com', port: '', pathname: '*' } }, source: 'fetch-event' }
 * ```
 */
export function sameOriginRoute(origin: string): RouterRule {
  const url = new URL(origin);
  return {
    condition: { urlPattern: { protocol: literal(url.protocol.slice(0, -1)), hostname: literal(url.hostname), port: literal(url.port), pathname: '*' } },
    source: 'fetch-event',
  };
}

/**
 * Whether a message asks a waiting version to take over: Workbox's `{ type: 'SKIP_WAITING' }`
 * from a window of the worker's own origin.
 */
export function isSkipWaitingRequest(event: ExtendableMessageEvent, origin: string): boolean {
  const source = event.source;
  const data: unknown = event.data;
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'SKIP_WAITING' &&
    source instanceof Client &&
    source.type === 'window' &&
    new URL(source.url).origin === origin
  );
}

/**
 * Hosts bearer-sw in the app's Workbox worker. Call it where `installTokenInjector` takes its
 * config, at the top level of the worker script: it adds its own install listener before the
 * injector's (a static route that leaves the worker's origin, navigations included, to Workbox:
 * its precache serves an offline reload) and, with `activation: 'prompt'`, a message listener for
 * `SKIP_WAITING`; it returns what the injector's config needs.
 *
 * Register Workbox routes that could match an allowlisted URL (a catch-all, `setDefaultHandler`)
 * after `installTokenInjector`: fetch listeners run in the order they were added, and
 * `respondWith` ends the event there; a route added earlier would answer first, without the token.
 *
 * @param options - see {@link WorkboxCompositionOptions}
 * @returns the part of `installTokenInjector`'s config it sets (spread it in)
 * @throws TypeError when `activation` is neither `'immediate'` nor `'prompt'`
 * @example
 * ```ts
 * import { precacheAndRoute } from 'workbox-precaching'
 * import { installTokenInjector } from 'bearer-sw/worker'
 * import { workboxComposition } from 'bearer-sw/worker/workbox'
 *
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
 *   ...workboxComposition({ activation: 'prompt' }),
 * })
 * precacheAndRoute(self.__WB_MANIFEST)
 * ```
 */
export function workboxComposition(options: WorkboxCompositionOptions = {}): WorkboxComposition {
  const activation = options.activation ?? 'immediate';
  if (activation !== 'immediate' && activation !== 'prompt') {
    throw new TypeError(msg`Failed to compose with Workbox: activation must be 'immediate' or 'prompt'`);
  }
  self.addEventListener('install', (event) => {
    // Feature-detected, as the injector's own routes; added first, so it comes before them.
    if (typeof event.addRoutes === 'function') event.waitUntil(event.addRoutes([sameOriginRoute(self.location.origin)]).catch(() => undefined));
  });
  if (activation === 'prompt') {
    self.addEventListener('message', (event) => {
      if (isSkipWaitingRequest(event, self.location.origin)) event.waitUntil(self.skipWaiting());
    });
  }
  return { skipWaiting: activation === 'immediate' };
}
