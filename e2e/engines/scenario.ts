import type { BrowserSession, EngineName, RawTab, Tab } from './engine-driver.js';
import { harnessTab } from './engine-driver.js';
import { withTimeout } from './wait.js';
import type { Environment } from './environment.js';
import type { TestWorkerConfig } from '../support/sw-config.js';

/** What a scenario gets: the servers, and a fresh browser session of the engine under test. */
export interface ScenarioContext {
  readonly engine: EngineName;
  readonly env: Environment;
  /** Sets the worker config this scenario's worker will load (before the first tab registers). */
  useConfig(config: TestWorkerConfig): void;
  /** Opens the test app in a new tab; `query` is appended to its URL. */
  openApp(query?: string): Promise<Tab>;
  /** Opens any page (an example app, not the test app) in a new tab, without the harness. */
  openPage(url: string): Promise<RawTab>;
  /** Stops every service worker of the session; tabs may be reloaded (see `BrowserSession.stopWorkers`). */
  stopWorkers(): Promise<void>;
}

/** One end-to-end scenario, written once and run unchanged in every engine. */
export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<void>;
}

/** The context for one scenario run in `session`. */
export function scenarioContext(engine: EngineName, env: Environment, session: BrowserSession): ScenarioContext {
  return {
    engine,
    env,
    useConfig: (config) => env.app.setConfig(config),
    async openApp(query = '') {
      return harnessTab(await session.openTab(`${env.app.origin}/${query}`));
    },
    openPage: (url) => withTimeout(session.openTab(url), 30_000, `open ${url}`),
    stopWorkers: () => session.stopWorkers(),
  };
}
