/**
 * Polls `probe` every `intervalMs` until it returns a truthy value or `timeoutMs` passes.
 *
 * @returns the first truthy value, or the last (falsy) one at the deadline; never throws for a timeout, so the caller
 *   records the failed check instead
 */
export async function waitFor<T>(probe: () => T | Promise<T>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
