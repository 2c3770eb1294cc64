import type { ApiRecord } from '../server/demo-api.js';
import type { DemoStack } from '../server/start-demo-stack.js';
import { sleep } from './wait-for.js';

/** A verified token as the API recorded it. */
export interface VerifiedToken {
  jti: string;
  sub: string;
  exp: number;
}

/** The verified token a record carried, or `null`. */
export function verifiedToken(record: ApiRecord): VerifiedToken | null {
  return record.token?.verified === true ? { jti: record.token.jti, sub: record.token.sub, exp: record.token.exp } : null;
}

/** The distinct token ids among `records`, in order of first appearance. */
export function tokenIds(records: readonly ApiRecord[]): string[] {
  return [...new Set(records.flatMap((record) => verifiedToken(record)?.jti ?? []))];
}

/** The newest verified token the API has seen, or `null`. */
export function latestToken(stack: DemoStack): VerifiedToken | null {
  for (let i = stack.api.records.length - 1; i >= 0; i -= 1) {
    const token = verifiedToken(stack.api.records[i] as ApiRecord);
    if (token !== null) return token;
  }
  return null;
}

/**
 * Waits until the newest token the API has seen is past its `exp` (the provider's clock is this process's clock),
 * so the worker must refresh before its next request can carry a valid token.
 *
 * @returns the token that expired, or `null` when the API never saw one
 */
export async function waitForLatestTokenToExpire(stack: DemoStack): Promise<VerifiedToken | null> {
  const token = latestToken(stack);
  if (token === null) return null;
  await sleep(token.exp * 1000 + 300 - Date.now());
  return token;
}

/** The JWT `jti` of an access token, read without verifying it (the API verifies; this only names it). */
export function jtiOf(accessToken: string): string | null {
  try {
    const payload: unknown = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && typeof (payload as { jti?: unknown }).jti === 'string'
      ? (payload as { jti: string }).jti
      : null;
  } catch {
    return null;
  }
}
