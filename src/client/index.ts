/**
 * `bearer-sw/client`: register the worker and hand it the tokens after login.
 *
 * @packageDocumentation
 */
export { registerTokenInjector, type RegisterOptions, type TrustedScriptURLLike } from './register-token-injector.js';
export { Session, type LoginOptions, type LogoutOptions, type SessionEventMap, type SessionInvalidDetail } from './session.js';
export type { TokenSet } from '../shared/token-set.js';
export type { LoginFailedDetail, SessionState, UserClaims } from '../shared/protocol.js';
export { BearerSwError, type ErrorCode } from '../shared/errors.js';
