/**
 * `bearer-sw/worker/login`: the worker's own OAuth client. Import it next to `bearer-sw/worker`
 * and pass `oidcLogin(…)` as `login`; a worker that does not import it carries none of its code.
 *
 * @packageDocumentation
 */
export { oidcLogin } from './oidc-login.js';
export type { OidcLoginOptions } from './login-options.js';
