/**
 * Remembers DPoP proof identifiers until they expire, so a proof is accepted once (RFC 9449 §11.1).
 * Pass your own implementation (a shared store) when several server instances verify the same clients.
 */
export interface ReplayCache {
  /**
   * Records `id` until `expiresAt` (seconds since the epoch).
   * @returns `true` the first time, `false` when `id` is already recorded and not yet expired
   */
  use(id: string, expiresAt: number): boolean | Promise<boolean>;
}

/** Options of {@link createReplayCache}. */
export interface ReplayCacheOptions {
  /** The most identifiers kept at once. Default 10,000. */
  maxEntries?: number;
  /** The clock, seconds since the epoch (tests). Default `Date.now() / 1000`. */
  now?: () => number;
}

/**
 * Creates an in-memory {@link ReplayCache} bounded in size. Expired entries go first; when the cache is
 * still full, the entry recorded earliest goes (it is the one closest to leaving the `iat` window anyway).
 * Only proofs that passed every other check are recorded, so filling it takes valid proofs for valid tokens.
 *
 * @throws {TypeError} when `maxEntries` is not a positive integer
 * @example
 * ```ts
 * const replay = createReplayCache({ maxEntries: 50_000 })
 * await verifyRequest(request, { ...options, dpop: { replay } })
 * ```
 */
export function createReplayCache(options: ReplayCacheOptions = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new TypeError('Failed to create a replay cache: maxEntries must be a positive integer');
  const now = options.now ?? (() => Date.now() / 1000);
  // Insertion order is arrival order: the first entries are the oldest.
  const entries = new Map<string, number>();
  const prune = (time: number): void => {
    // Entries arrive roughly in expiry order: the expired ones are mostly at the head.
    for (const [id, expiresAt] of entries) {
      if (expiresAt > time) break;
      entries.delete(id);
    }
    if (entries.size < maxEntries) return;
    for (const [id, expiresAt] of entries) if (expiresAt <= time) entries.delete(id);
    for (const id of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(id);
    }
  };
  return {
    use(id, expiresAt) {
      const time = now();
      const seen = entries.get(id);
      if (seen !== undefined && seen > time) return false;
      entries.delete(id);
      prune(time);
      entries.set(id, expiresAt);
      return true;
    },
  };
}
