import { registerTokenInjector } from 'bearer-sw/client';
import { registerSW } from 'virtual:pwa-register';
import { env } from './env.js';
import { completeLogin, isLoginCallback, startLogin } from './login.js';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const show = (value: unknown) => ($('output').textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2));
$('build').textContent = env.buildLabel;

// workbox-window registers the worker and drives updates: with registerType 'prompt' it calls
// onNeedRefresh when a new version waits, and updateSW() posts SKIP_WAITING to it; with
// 'autoUpdate' the new version takes over at once and the page reloads.
const registered = new Promise<string>((resolve, reject) => {
  // registerSW does nothing without service workers: say so instead of waiting for it.
  if (!('serviceWorker' in navigator)) reject(new Error('this browser has no service workers'));
  const updateSW = registerSW({
    immediate: true,
    onRegisteredSW: (url) => resolve(url),
    onRegisterError: reject,
    onNeedRefresh: () => ($('update').hidden = false),
    onOfflineReady: () => ($('offline-ready').textContent = 'ready to work offline'),
  });
  $('update-now').addEventListener('click', () => void updateSW(true));
});

// The same registration: the URL vite-plugin-pwa registered (/sw.js, or its dev URL under
// `vite dev`) and the same type. Resolves once the worker controls this page.
const session = await registered
  .then((url) => registerTokenInjector(url, { type: import.meta.env.DEV ? 'module' : 'classic' }))
  .catch((error: unknown) => {
    show(`Failed to start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  });
const showState = () => ($('state').textContent = session.state);
session.addEventListener('statechange', showState);
session.addEventListener('session-invalid', () => show('Your session ended: log in again.'));

if (isLoginCallback()) {
  await completeLogin(session).catch((error: unknown) => show(error instanceof Error ? error.message : String(error)));
}
showState();

$('login').addEventListener('click', () => void startLogin());
$('logout').addEventListener('click', () => void session.logout());
$('call-api').addEventListener('click', async () => {
  // A plain fetch: the worker adds the token.
  const response = await fetch(`${env.apiOrigin}/v1/me`).catch((error: unknown) => error);
  show(response instanceof Response ? { status: response.status, body: await response.json().catch(() => null) } : `offline: ${String(response)}`);
});
$('news').addEventListener('click', async () => {
  // Same-origin, outside the app shell: Workbox's runtime caching serves it, also offline.
  const response = await fetch('/news/today.json').catch((error: unknown) => error);
  show(response instanceof Response ? await response.json().catch(() => null) : `offline: ${String(response)}`);
});
document.body.dataset.ready = 'yes';
