/**
 * The one message envelope between pages and the worker: `{ v, type, id?, payload? }`.
 *
 * Every message is a member of {@link PageMessage} or {@link WorkerMessage}; each side runs
 * its guard before using anything it receives, and drops what fails it: the worker
 * {@link parsePageMessage}, the page the checks of `src/client/worker-messages.ts`.
 */
import type { SerializedError } from './errors.js';
import type { TokenSet } from './token-set.js';

/** Protocol version: a page and a worker that disagree on it refuse to talk. */
export const PROTOCOL_VERSION = 1;

/** Upper bound on what a message may weigh (characters of strings plus keys), checked before use. */
export const MAX_MESSAGE_SIZE = 65_536;

/** The session as a page sees it. */
export type SessionState = 'authenticated' | 'unauthenticated';

/** Why a session was lost, as carried by `session-invalid`. */
export type InvalidReason = 'expired' | 'refresh-rejected';

/**
 * The signed-in user as pages see it: the validated ID token's claims (`sub`, and `name`, `email`,
 * … when the server sent them), without the protocol claims (`nonce`, `at_hash`, `c_hash`,
 * `s_hash`, `sid`). Claims are not credentials; the raw ID token never leaves the worker.
 */
export type UserClaims = { sub: string } & Record<string, unknown>;

/** What `session.login()` asks the worker for. */
export interface LoginPayload {
  /** Where the tab lands after the login, same-origin (the worker checks), resolved against the page's URL; default that URL. */
  returnTo?: string;
  /** OpenID Connect `prompt` (`login`, `consent`, `select_account`, `none`). */
  prompt?: string;
  /** OpenID Connect `login_hint`. */
  loginHint?: string;
}

/** Requests a page sends; each carries an `id` and a `MessagePort` for the reply. */
export type PageMessage =
  | { v: typeof PROTOCOL_VERSION; type: 'hello'; id: string; payload: { version: string } }
  | { v: typeof PROTOCOL_VERSION; type: 'handoff'; id: string; payload: TokenSet }
  | { v: typeof PROTOCOL_VERSION; type: 'logout'; id: string; payload?: { endSession?: boolean } }
  | { v: typeof PROTOCOL_VERSION; type: 'login'; id: string; payload: LoginPayload }
  | { v: typeof PROTOCOL_VERSION; type: 'claim'; id: string }
  | { v: typeof PROTOCOL_VERSION; type: 'get-access-token'; id: string };

/** The `type` of every page request. */
export type PageMessageType = PageMessage['type'];

/** What the worker knows of the session, sent in replies and broadcasts. */
export interface SessionSnapshot {
  state: SessionState;
  /** Increases with every session change; lets a page drop stale or repeated news. */
  epoch: number;
  /** The signed-in user, present only when the worker ran the login itself (`login` configured). */
  user?: UserClaims | undefined;
}

/** Why a login failed, as the page that lands on `returnTo` hears it (`login-failed`). */
export interface LoginFailedDetail {
  /** A `login-…` error code. */
  code: string;
  /** `Failed to log in: <reason>`, never a token, code or verifier. */
  message: string;
}

/** The result of each request type. */
export interface ReplyResults {
  /** `loginFailed`: with the worker's login, the news of a login that failed on this tab, or `null`. */
  hello: SessionSnapshot & { version: string; loginFailed?: LoginFailedDetail | null };
  handoff: SessionSnapshot;
  /** `navigate`: a same-origin URL the tab goes to for RP-initiated logout. */
  logout: SessionSnapshot & { navigate?: string };
  /** `navigate`: the authorization URL the tab goes to. */
  login: { navigate: string };
  claim: null;
  'get-access-token': { accessToken: string | null };
}

/** Messages the worker sends: replies on a request's port, broadcasts to every window. */
export type WorkerMessage =
  | {
      v: typeof PROTOCOL_VERSION;
      type: 'reply';
      id: string;
      payload: { ok: true; result: unknown } | { ok: false; error: SerializedError };
    }
  | { v: typeof PROTOCOL_VERSION; type: 'state'; payload: SessionSnapshot }
  | { v: typeof PROTOCOL_VERSION; type: 'session-invalid'; payload: { reason: InvalidReason; epoch: number } }
  | VersionMismatchReply;

/**
 * The one message whose shape no protocol version may change: the worker's answer to a request
 * in another protocol version, sent in the *requester's* version `v` so that a page of any
 * version (older or newer than the worker) reads it, and rejects at once with `version-mismatch`
 * instead of waiting for a timeout. A page likewise takes any reply on its request's port whose
 * `v` is not its own as a version mismatch (only the worker holds the other end of that port).
 */
export interface VersionMismatchReply {
  v: number;
  type: 'reply';
  id: string;
  payload: { ok: false; error: SerializedError & { code: 'version-mismatch' } };
}

const PAGE_TYPES: ReadonlySet<string> = new Set<PageMessageType>([
  'hello',
  'handoff',
  'logout',
  'login',
  'claim',
  'get-access-token',
]);

const MAX_ID_LENGTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a structured-clone value stays under `limit` (string characters plus keys).
 * Walks at most `limit` steps, so a hostile message cannot make the check itself expensive.
 */
export function isWithinSize(value: unknown, limit = MAX_MESSAGE_SIZE): boolean {
  let budget = limit;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop();
    budget -= 1;
    if (typeof item === 'string') budget -= item.length;
    else if (typeof item === 'object' && item !== null) {
      if (seen.has(item)) continue;
      seen.add(item);
      if (ArrayBuffer.isView(item)) budget -= item.byteLength;
      else if (item instanceof ArrayBuffer) budget -= item.byteLength;
      else {
        for (const key of Object.keys(item)) {
          budget -= key.length;
          if (budget < 0) return false;
          stack.push((item as Record<string, unknown>)[key]);
        }
      }
    }
    if (budget < 0) return false;
  }
  return true;
}

/**
 * What a failed guard says, so the worker can answer with a coded error: the request's `id` when
 * one could be read, and for `version-mismatch` the version the page speaks (`v`), to answer in.
 */
export type GuardFailure = { reason: 'invalid-message' | 'unknown-type' | 'version-mismatch'; id?: string; v?: number };

/**
 * Checks an untrusted message from a page against the envelope.
 *
 * Only the envelope is checked here; payloads are validated by the handler of each type
 * (a handoff payload by `parseTokenSet`).
 *
 * @returns the message, or a {@link GuardFailure} saying why it was refused (with its `id`
 *   when one could be read, so the sender can still be answered)
 */
export function parsePageMessage(data: unknown): PageMessage | GuardFailure {
  if (!isRecord(data)) return { reason: 'invalid-message' };
  // The id is read first (a bounded string) so even an oversized message can be answered.
  const id = typeof data.id === 'string' && data.id.length > 0 && data.id.length <= MAX_ID_LENGTH ? data.id : undefined;
  const failure = (reason: GuardFailure['reason']): GuardFailure => (id === undefined ? { reason } : { reason, id });
  if (id === undefined || !isWithinSize(data)) return failure('invalid-message');
  if (data.v !== PROTOCOL_VERSION) {
    // Answered in the page's own version, whatever it is, so that the page can read the answer.
    return Number.isSafeInteger(data.v) ? { ...failure('version-mismatch'), v: data.v as number } : failure('version-mismatch');
  }
  if (typeof data.type !== 'string') return failure('invalid-message');
  if (!PAGE_TYPES.has(data.type)) return failure('unknown-type');
  switch (data.type) {
    case 'hello': {
      const payload = data.payload;
      if (!isRecord(payload) || typeof payload.version !== 'string' || payload.version.length > MAX_ID_LENGTH) {
        return failure('invalid-message');
      }
      return { v: PROTOCOL_VERSION, type: 'hello', id, payload: { version: payload.version } };
    }
    case 'handoff':
    case 'login':
    case 'logout':
      // The payload stays untrusted (its type is a promise only) until its handler has checked it:
      // a handoff by parseTokenSet, a login and a logout by the worker's login (`parseLoginPayload`).
      return { v: PROTOCOL_VERSION, type: data.type, id, payload: data.payload as never };
    default:
      return { v: PROTOCOL_VERSION, type: data.type as 'claim' | 'get-access-token', id };
  }
}
