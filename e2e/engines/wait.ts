/** Resolves after `ms` milliseconds (at once for zero or less). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Settles like `promise`, or rejects with `Failed to <what>: no result within <ms> ms` if it has
 * not settled by then (the promise itself goes on; callers close what it was using).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Failed to ${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Calls `read` until `done(value)` holds and returns that value; rejects after `timeoutMs` with
 * the last value seen. For eventual outcomes (a broadcast reaching another tab), never for timing.
 */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Failed to see ${options.what}: last value ${JSON.stringify(value)}`);
    await sleep(options.intervalMs ?? 100);
  }
}
