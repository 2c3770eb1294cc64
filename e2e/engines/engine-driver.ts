/**
 * What each engine's driver provides to the shared scenarios: a browser, fresh sessions in it,
 * tabs that load a page and run one `window.harness` step at a time. The scenario steps live in
 * the test page (`e2e/app/main.ts`), so a driver only loads, runs and reads.
 */
import { withTimeout } from './wait.js';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** The longest one harness step may take (its own waits are shorter: 10 s at most). */
export const STEP_TIMEOUT_MS = 30_000;

/** One tab as a driver sees it: navigation and running a function source with JSON arguments. */
export interface RawTab {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /**
   * Runs `source`, an async function expression, with `args` in the page; resolves with what it
   * returned (a string: {@link HARNESS_CALL} returns JSON text, so every engine hands back the same).
   */
  evaluate(source: string, args: unknown[]): Promise<unknown>;
}

/** A fresh browser profile or context: nothing from another session is visible in it. */
export interface BrowserSession {
  /** Opens a new tab on `url`. */
  openTab(url: string): Promise<RawTab>;
  /**
   * Stops every service worker of this session and returns once they are stopped. Pages may be
   * reloaded on the way (WebKit stops a worker only when it has had no client for a while), so
   * callers must not rely on page state kept before it.
   */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/** A launched browser of one engine. */
export interface EngineDriver {
  readonly engine: EngineName;
  /** The browser's own version string. */
  readonly version: string;
  newSession(): Promise<BrowserSession>;
  close(): Promise<void>;
}

/**
 * Runs one `window.harness` member in the page: calls it with the arguments if it is a function,
 * else reads it; returns the result as JSON text. Waits (bounded) for the module script that
 * defines `window.harness`.
 */
export const HARNESS_CALL = `async (name, args) => {
  for (let i = 0; i < 100 && !window.harness; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!window.harness) throw new Error('Failed to run a harness step: no window.harness on ' + location.href);
  const member = window.harness[name];
  const value = typeof member === 'function' ? await member.apply(window.harness, args) : member;
  return JSON.stringify(value === undefined ? null : value);
}`;

/** `source` applied to `args`, as one expression (for drivers that evaluate expression text). */
export function callExpression(source: string, args: unknown[]): string {
  return `(${source}).apply(null, ${JSON.stringify(args)})`;
}

type Harness = Window['harness'];
type Step = { [K in keyof Harness]: Harness[K] extends (...args: never[]) => unknown ? K : never }[keyof Harness];
type Value = Exclude<keyof Harness, Step>;

/** A tab of the test app, with typed access to the harness steps. */
export interface Tab {
  /** Runs `window.harness[step](...args)` and returns its (JSON round-tripped) result. */
  run<K extends Step>(step: K, ...args: Parameters<Harness[K]>): Promise<Awaited<ReturnType<Harness[K]>>>;
  /** Reads `window.harness[name]`. */
  read<K extends Value>(name: K): Promise<Harness[K]>;
  goto(url: string): Promise<void>;
  /**
   * Runs `source` (an async function expression returning JSON text) in whatever page the tab
   * shows, the harness or not (a provider's login page), and parses what it returned.
   */
  evaluate<T>(source: string, ...args: unknown[]): Promise<T>;
}

/** Wraps a driver's tab: every call is bounded by {@link STEP_TIMEOUT_MS}. */
export function harnessTab(raw: RawTab): Tab {
  const call = async (name: string, args: unknown[]): Promise<never> => {
    const text = await withTimeout(raw.evaluate(HARNESS_CALL, [name, args]), STEP_TIMEOUT_MS, `run the harness step '${name}'`);
    if (typeof text !== 'string') throw new Error(`Failed to run the harness step '${name}': the driver returned ${typeof text}`);
    return JSON.parse(text) as never;
  };
  return {
    run: (step, ...args) => call(step, args),
    read: (name) => call(name, []),
    goto: (url) => withTimeout(raw.goto(url), STEP_TIMEOUT_MS, `load ${url}`),
    async evaluate<T>(source: string, ...args: unknown[]): Promise<T> {
      const text = await withTimeout(raw.evaluate(source, args), STEP_TIMEOUT_MS, 'run a script in the tab');
      return JSON.parse(String(text)) as T;
    },
  };
}
