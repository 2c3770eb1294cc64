import { registerTokenInjector } from 'bearer-sw/client';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const show = (text: string) => ($('result').textContent = text);

// No URL: bearerSw() in vite.config.ts tells the page where the worker is.
const session = await registerTokenInjector();

const render = () => {
  $('state').textContent = session.state;
  $('user').textContent = session.user === null ? '' : `as ${String(session.user['name'] ?? session.user.sub)}`;
  document.body.dataset.state = session.state;
};
session.addEventListener('statechange', render);
session.addEventListener('session-invalid', (event) => show(`Session lost (${event.detail.reason}): log in again`));
// The worker's login failed (the user cancelled at the provider, a bad answer): this tab landed back here.
session.addEventListener('login-failed', (event) => show(`Failed to log in (${event.detail.code}): ${event.detail.message}`));

// The worker sends this tab to the provider and, once the code is exchanged, back here signed in.
$('login').addEventListener('click', () => void session.login().catch((error: unknown) => show((error as Error).message)));
$('logout').addEventListener('click', () => void session.logout());
$('call').addEventListener('click', async () => {
  show('…');
  try {
    // A plain fetch: the worker adds the token, because the URL matches its allowlist.
    const response = await fetch(`${import.meta.env.VITE_API_ORIGIN}/v1/me`);
    show(`${response.status} ${await response.text()}`);
  } catch (error) {
    show(`Failed to call the API: ${(error as Error).message}`);
  }
});
render();
document.body.dataset.ready = 'yes';
