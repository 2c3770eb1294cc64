import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser } from 'playwright';

import { CHROMIUM_ARGS, findChromium, INSTALL_HINT } from '../../../scripts/find-chromium.mjs';
import type { DemoStack } from '../server/start-demo-stack.js';
import { demoSteps } from './demo-steps.js';
import type { DemoSummary, StepSummary } from './report.js';
import { check, type DemoRun, type DemoStep, type StepOutcome } from './step.js';

/** Options of {@link driveDemo}. */
export interface DriveOptions {
  /** Where screenshots and `summary.json` go. */
  outputDir: string;
  /** Show the browser window (needs a display). Default false. */
  headed?: boolean;
  /** Called with each finished step. */
  onStep?: (step: StepSummary, total: number) => void;
}

/** The longest one step may take, waits for token expiry included. */
const STEP_TIMEOUT_MS = 45_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Failed to ${what}: no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function launch(headed: boolean): Promise<Browser> {
  const found = findChromium();
  if (found === null) throw new Error(INSTALL_HINT);
  return chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS, headless: !headed });
}

async function runStep(step: DemoStep, n: number, run: DemoRun, outputDir: string): Promise<StepSummary> {
  const started = Date.now();
  let outcome: StepOutcome;
  try {
    outcome = await withTimeout(step.run(run), STEP_TIMEOUT_MS, `run step ${n}`);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
    outcome = { checks: [check('the step ran to the end', false, message)], show: run.tabB ?? run.tabA };
  }
  const durationMs = Date.now() - started;
  let screenshot: string | null = `${String(n).padStart(2, '0')}-${step.id}.png`;
  try {
    if (outcome.show === undefined) throw new Error('no tab');
    await outcome.show.page.screenshot({ path: join(outputDir, screenshot) });
  } catch {
    screenshot = null;
  }
  const ok = outcome.checks.length > 0 && outcome.checks.every((item) => item.ok);
  return { n, id: step.id, title: step.title, ok, durationMs, screenshot, checks: outcome.checks };
}

/**
 * Drives Chromium through the demo's eight steps against a running {@link DemoStack}, checking each claim against
 * what the servers recorded. Saves a screenshot per step; never throws for a failed step (it is in the summary).
 *
 * @throws Error when no Chromium can be found or launched
 */
export async function driveDemo(stack: DemoStack, options: DriveOptions): Promise<DemoSummary> {
  const started = Date.now();
  mkdirSync(options.outputDir, { recursive: true });
  const headed = options.headed === true;
  const browser = await launch(headed);
  const steps: StepSummary[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, serviceWorkers: 'allow' });
    // The provider's development pages import a web font; the demo runs offline.
    await context.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
    const run: DemoRun = { stack, context };
    const story = demoSteps(options.outputDir);
    for (const [index, step] of story.entries()) {
      const summary = await runStep(step, index + 1, run, options.outputDir);
      steps.push(summary);
      options.onStep?.(summary, story.length);
    }
  } finally {
    await browser.close();
  }
  const passed = steps.filter((step) => step.ok).length;
  const status = stack.status();
  return {
    ok: passed === steps.length,
    passed,
    failed: steps.length - passed,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    headless: !headed,
    servers: { ...status, thirdPartyRequests: stack.thirdParty.records.length },
    steps,
  };
}
