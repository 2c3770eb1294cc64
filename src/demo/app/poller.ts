import type { CallOutcome } from './demo-page-api.js';

/** Calls `call` every `intervalMs` (the way an app refreshes a dashboard) until stopped, keeping every outcome. */
export class Poller {
  readonly #call: () => Promise<CallOutcome>;
  #timer: ReturnType<typeof setInterval> | null = null;
  #outcomes: CallOutcome[] = [];
  #pending = new Set<Promise<unknown>>();

  constructor(call: () => Promise<CallOutcome>) {
    this.#call = call;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(intervalMs: number): void {
    if (this.#timer !== null) return;
    this.#outcomes = [];
    const tick = () => {
      const pending = this.#call().then((outcome) => {
        this.#outcomes.push(outcome);
      });
      this.#pending.add(pending);
      void pending.finally(() => this.#pending.delete(pending));
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
  }

  /** Stops; resolves with every outcome once the calls in flight have settled. */
  async stop(): Promise<CallOutcome[]> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#pending]);
    return this.#outcomes;
  }
}
