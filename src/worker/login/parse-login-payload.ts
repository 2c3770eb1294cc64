import type { LoginPayload } from '../../shared/protocol.js';
import { msg } from '../../shared/message.js';

/** A checked login request: `returnTo` absolute. */
export interface CheckedLoginPayload extends LoginPayload {
  returnTo: string;
}

/** Longest `returnTo`, `prompt` or `loginHint` accepted. */
const MAX_FIELD = 2048;

function text(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD) {
    throw new TypeError(msg`Failed to log in: ${name} must be a non-empty string of at most ${MAX_FIELD} characters`);
  }
  return value;
}

/**
 * Checks the untrusted payload of a page's `login` request; `returnTo` is resolved against the
 * page's URL, and defaults to it.
 * @param pageUrl - the URL of the window that asked
 * @throws TypeError naming the first problem
 * @example
 * ```ts
 * parseLoginPayload({ returnTo: '/inbox', prompt: 'login' }, client.url)
 * ```
 */
export function parseLoginPayload(payload: unknown, pageUrl: string): CheckedLoginPayload {
  const { returnTo, prompt, loginHint } = Object(payload) as Record<string, unknown>;
  let target: URL;
  try {
    target = new URL(text(returnTo, 'returnTo', false) ?? pageUrl, pageUrl);
  } catch {
    throw new TypeError(msg`Failed to log in: returnTo is not a valid URL`);
  }
  const checked: CheckedLoginPayload = { returnTo: target.href };
  const p = text(prompt, 'prompt', false);
  if (p !== undefined) checked.prompt = p;
  const hint = text(loginHint, 'loginHint', false);
  if (hint !== undefined) checked.loginHint = hint;
  return checked;
}
