import { RefreshUnavailableError } from '../refresh-errors.js';
import { msg } from '../../shared/message.js';

/**
 * Sends a preset's refresh call; a call that got no answer (network failure, abort, timeout) is
 * transient, so the session goes on and the worker tries again after its backoff.
 *
 * @param vendor - named in the error message (`Supabase Auth`, …)
 * @throws RefreshUnavailableError when no response came
 * @example
 * ```ts
 * const response = await vendorFetch('Supabase Auth', url, { method: 'POST', signal })
 * ```
 */
export async function vendorFetch(vendor: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { cache: 'no-store', ...init });
  } catch (cause) {
    throw new RefreshUnavailableError(msg`Failed to refresh tokens: ${vendor} could not be reached`, { cause });
  }
}

/**
 * The response body as a JSON object, or `null` when it is not one (HTML from a proxy, say).
 *
 * @example
 * ```ts
 * const body = await readJsonObject(response)
 * ```
 */
export async function readJsonObject(response: Response): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A server-sent error code, if it is a short printable word (it ends up in a log line). */
export function errorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,64}$/.test(value) ? value : undefined;
}
