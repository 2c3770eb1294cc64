import { registerTokenInjector } from 'bearer-sw/client';
import { CALLBACK_PATH, completeLogin, startLogin } from './login';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const show = (text: string) => ($('result').textContent = text);

// No URL: bearerSw() in vite.config.ts tells the page where the worker is.
const session = await registerTokenInjector();

const render = () => {
  $('state').textContent = session.state;
  document.body.dataset.state = session.state;
};
session.addEventListener('statechange', render);
session.addEventListener('session-invalid', (event) => show(`Session lost (${event.detail.reason}): log in again`));

if (location.pathname === CALLBACK_PATH) {
  try {
    await completeLogin(session, new URL(location.href));
  } catch (error) {
    show((error as Error).message);
  }
  history.replaceState(null, '', import.meta.env.BASE_URL);
}

$('login').addEventListener('click', () => void startLogin());
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
