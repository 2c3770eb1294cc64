/**
 * `bearer-sw/worker/workbox`: host bearer-sw in a worker that has other fetch handlers (Workbox,
 * vite-plugin-pwa's `injectManifest`). Pass {@link workboxComposition} as `composition` to
 * `installTokenInjector`; an app that does not import it pays nothing for it.
 *
 * @packageDocumentation
 */
// Types only: at run time this module takes what it needs from the injector (Composition.start),
// so the worker holds no second copy of it and the core shares no chunk with this module.
import type { RouterRule } from './static-routes.js';

// The members used here, typed structurally so the module also type-checks where tests import it
// with the DOM lib (ServiceWorkerGlobalScope is in the WebWorker lib only).
declare const self: {
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: ExtendableMessageEvent) => void): void;
};

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

/**
 * What `installTokenInjector` asks of a composition. Made by {@link workboxComposition}; its
 * member is the injector's business, not the app's.
 */
export interface Composition {
  /**
   * Called once, at the top level of the worker script: adds the composition's own listeners and
   * returns what the worker does at install.
   *
   * @param addRoutes - registers the injector's static routes after `first` (nothing with
   *   `staticRoutes: false`)
   * @param log - the injector's debug log
   */
  start(addRoutes: (event: Event, first: RouterRule[]) => Promise<void> | undefined, log: (message: string) => void): (event: Event) => Promise<unknown>;
}

// URLPattern syntax characters; anything else in a pattern string stands for itself.
const literal = (text: string) => text.replace(/[\\+*?:{}()]/g, '\\$&');

/**
 * The route a worker that shares its fetch event puts before the injector's: every request for
 * the worker's own origin goes to its fetch listeners, where Workbox's precache, navigation route
 * and runtime caching see it. The injector's routes then only ever see other origins' requests
 * (those no rule matches, and `no-cors` ones no `upgradeNoCors` rule asked for, still skip the
 * worker). A navigation is always for the worker's origin (a worker only sees those of its
 * scope), so none goes past Workbox.
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
 * Hosts bearer-sw in the app's Workbox worker. Navigations and the app's own URLs stay Workbox's
 * (its precache serves an offline reload), and `activation` says how a new version takes over.
 * Call `installTokenInjector` before registering Workbox routes that could match an allowlisted
 * URL (a catch-all, `setDefaultHandler`): fetch listeners run in the order they were added, and
 * `respondWith` stops the event there; a route added earlier would answer first, without the
 * token.
 *
 * @param options - see {@link WorkboxCompositionOptions}
 * @returns the value of `installTokenInjector`'s `composition` option
 * @throws TypeError when `activation` is neither `'immediate'` nor `'prompt'`
 * @example
 * ```ts
 * import { precacheAndRoute } from 'workbox-precaching'
 * import { installTokenInjector } from 'bearer-sw/worker'
 * import { workboxComposition } from 'bearer-sw/worker/workbox'
 *
 * installTokenInjector({
 *   apis: [{ origin: 'https://api.example.com', paths: ['/v1'] }],
 *   composition: workboxComposition({ activation: 'prompt' }),
 * })
 * precacheAndRoute(self.__WB_MANIFEST)
 * ```
 */
export function workboxComposition(options: WorkboxCompositionOptions = {}): Composition {
  const activation = options.activation ?? 'immediate';
  if (activation !== 'immediate' && activation !== 'prompt') {
    throw new TypeError("Failed to compose with Workbox: activation must be 'immediate' or 'prompt'");
  }
  return {
    start(addRoutes, log) {
      if (activation === 'prompt') {
        self.addEventListener('message', (event) => {
          if (!isSkipWaitingRequest(event, self.location.origin)) return;
          log('a page asked this version to take over');
          event.waitUntil(self.skipWaiting());
        });
      }
      return (event) => Promise.all([activation === 'immediate' ? self.skipWaiting() : undefined, addRoutes(event, [sameOriginRoute(self.location.origin)])]);
    },
  };
}
