import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { DemoStatus } from '../demo-config.js';
import type { Check } from './step.js';

/** The outcome of one step, as saved in `summary.json`. */
export interface StepSummary {
  n: number;
  id: string;
  title: string;
  ok: boolean;
  durationMs: number;
  /** File name of the step's screenshot in the output directory, or `null` when none could be taken. */
  screenshot: string | null;
  checks: Check[];
}

/** `summary.json`: the whole run. */
export interface DemoSummary {
  ok: boolean;
  passed: number;
  failed: number;
  startedAt: string;
  durationMs: number;
  headless: boolean;
  /** What the servers recorded over the whole run. */
  servers: DemoStatus & { thirdPartyRequests: number };
  steps: StepSummary[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Prints one finished step with its checks. */
export function formatStep(step: StepSummary, total: number, outputDir: string): string {
  const lines = [`[${step.n}/${total}] ${step.title}`];
  for (const item of step.checks) lines.push(`      ${item.ok ? '✓' : '✗'} ${item.name}${item.detail === undefined ? '' : `  (${item.detail})`}`);
  const shot = step.screenshot === null ? '' : ` · ${relative(process.cwd(), join(outputDir, step.screenshot)) || step.screenshot}`;
  lines.push(`      → ${step.ok ? 'PASS' : 'FAIL'} in ${seconds(step.durationMs)}${shot}`);
  return lines.join('\n');
}

/** The closing table: one line per step, then the totals. */
export function formatTable(summary: DemoSummary, outputDir: string): string {
  const width = Math.max(...summary.steps.map((step) => step.title.length), 4);
  const lines = [` #  ${'Step'.padEnd(width)}  Result  Time`];
  for (const step of summary.steps) {
    lines.push(`${String(step.n).padStart(2)}  ${step.title.padEnd(width)}  ${(step.ok ? 'PASS' : 'FAIL').padEnd(6)}  ${seconds(step.durationMs)}`);
  }
  const { servers } = summary;
  lines.push(
    '',
    `${summary.passed} of ${summary.steps.length} steps passed in ${seconds(summary.durationMs)}`,
    `Token endpoint: ${servers.refreshCalls} refresh call(s), ${servers.refreshGrants} granted, ${servers.codeGrants} code exchange(s) · ` +
      `API: ${servers.apiRequests} request(s) · third party: ${servers.thirdPartyRequests}`,
    `Screenshots and summary.json: ${relative(process.cwd(), outputDir) || '.'}/`,
  );
  return lines.join('\n');
}

/** Writes `summary.json` into `outputDir`. */
export function writeSummary(summary: DemoSummary, outputDir: string): void {
  writeFileSync(join(outputDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
