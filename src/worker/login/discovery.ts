import * as oauth from 'oauth4webapi';
import { BearerSwError } from '../../shared/errors.js';
import type { LoginDatabase } from './login-database.js';
import { msg } from '../../shared/message.js';

/** Metadata younger than this is used without asking the server again (also after a restart). */
const FRESH_MS = 60 * 60 * 1000;
/** When the server cannot be reached, metadata up to this old still serves. */
const STALE_MS = 24 * 60 * 60 * 1000;
const TIMEOUT_MS = 10_000;

/** The authorization server's metadata, discovered once and cached. */
export interface Discovery {
  /** The metadata; discovers or reads the cache on first use (one request for concurrent callers). */
  get(): Promise<oauth.AuthorizationServer>;
  /** The metadata if already in memory, without waiting. */
  peek(): oauth.AuthorizationServer | null;
}

/**
 * OpenID Connect Discovery for one issuer with oauth4webapi: the document's `issuer` must equal
 * the configured one (`processDiscoveryResponse` checks it). Cached in memory for the worker's
 * life and in IndexedDB for an hour, so a restarted worker does not wait on the network; a cache
 * up to a day old serves when the server cannot be reached.
 *
 * @param issuer - the configured issuer
 * @param db - the login database (discovery cache)
 * @param insecure - allow plain http (a loopback issuer)
 * @example
 * ```ts
 * const as = await createDiscovery(new URL('https://auth.example.com'), db, false).get()
 * ```
 */
export function createDiscovery(issuer: URL, db: LoginDatabase, insecure: boolean, now: () => number = Date.now): Discovery {
  let current: oauth.AuthorizationServer | null = null;
  let flight: Promise<oauth.AuthorizationServer> | null = null;

  const cached = async () => {
    try {
      const record = await (await db()).get('discovery', issuer.href);
      return record?.issuer === issuer.href ? record : undefined;
    } catch {
      return undefined;
    }
  };
  const discover = async (): Promise<oauth.AuthorizationServer> => {
    const record = await cached();
    if (record !== undefined && now() - record.fetchedAt < FRESH_MS) return record.metadata as unknown as oauth.AuthorizationServer;
    try {
      const response = await oauth.discoveryRequest(issuer, { signal: AbortSignal.timeout(TIMEOUT_MS), [oauth.allowInsecureRequests]: insecure });
      const metadata = await oauth.processDiscoveryResponse(issuer, response);
      await (await db())
        .put('discovery', { issuer: issuer.href, metadata: metadata as unknown as Record<string, unknown>, fetchedAt: now() }, issuer.href)
        .catch(() => undefined);
      return metadata;
    } catch (cause) {
      if (record !== undefined && now() - record.fetchedAt < STALE_MS) return record.metadata as unknown as oauth.AuthorizationServer;
      const reason = cause instanceof oauth.OperationProcessingError ? cause.message : msg`the server could not be reached`;
      throw new BearerSwError('login-unavailable', msg`Failed to discover the authorization server ${issuer.origin}: ${reason}`, { cause });
    }
  };

  return {
    get() {
      if (current !== null) return Promise.resolve(current);
      flight ??= discover().then(
        (metadata) => {
          current = metadata;
          flight = null;
          return metadata;
        },
        (error: unknown) => {
          flight = null;
          throw error;
        },
      );
      return flight;
    },
    peek: () => current,
  };
}
