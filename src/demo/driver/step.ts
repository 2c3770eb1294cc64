import type { BrowserContext } from 'playwright';

import type { DemoStack } from '../server/start-demo-stack.js';
import type { DemoTab } from './demo-tab.js';

/** One thing a step claims, and whether the servers (or the tabs) showed it. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was measured, in words or numbers; never a token value. */
  detail?: string;
}

/** The state the steps share: servers, browser context, open tabs and what earlier steps learnt. */
export interface DemoRun {
  readonly stack: DemoStack;
  readonly context: BrowserContext;
  /** The first tab, opened by step 1. */
  tabA?: DemoTab;
  /** The background tab, opened by step 4. */
  tabB?: DemoTab;
  /** The `jti` of the access token the last login returned. */
  loginJti?: string;
}

/** What a step hands back: its checks and the tab to photograph. */
export interface StepOutcome {
  checks: Check[];
  /** The tab whose screenshot illustrates the step. */
  show: DemoTab | undefined;
}

/** One step of the story. */
export interface DemoStep {
  /** Short id, used in file names: `register`, `login`, … */
  id: string;
  title: string;
  run(run: DemoRun): Promise<StepOutcome>;
}

/** Builds a {@link Check}; `detail` is kept only when there is one. */
export function check(name: string, ok: boolean, detail?: string | number | object): Check {
  if (detail === undefined) return { name, ok };
  return { name, ok, detail: typeof detail === 'string' ? detail : JSON.stringify(detail) };
}

/** The tab a step needs, or a clear error when an earlier step did not open it. */
export function requireTab(tab: DemoTab | undefined, name: string): DemoTab {
  if (tab === undefined) throw new Error(`Failed to run the step: tab ${name} is not open (an earlier step failed)`);
  return tab;
}
