import { DEMO_OUTPUT } from './paths.js';
import { driveDemo } from './driver/drive-demo.js';
import { formatStep, formatTable, writeSummary, type DemoSummary } from './driver/report.js';
import type { PackageBuildPolicy } from './server/build-demo-app.js';
import { startDemoStack, type DemoStack } from './server/start-demo-stack.js';

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  /** Where screenshots, `summary.json` and the built SPA go. Default `demo-output/`. */
  outputDir?: string;
  /** Show the browser window. Default false. */
  headed?: boolean;
  /** Leave the servers running after the story (the caller closes `stack`). Default false. */
  keepOpen?: boolean;
  /** Where progress lines go. Default `console.log`; pass `() => {}` for silence. */
  print?: (line: string) => void;
  /**
   * When to rebuild `dist/` before building the SPA. Default `if-stale`; a test run whose setup just built it passes
   * `if-missing`, so it never rebuilds the package under other running tests.
   */
  packageBuild?: PackageBuildPolicy;
}

/** What {@link runDemo} returns: the summary, and the servers when they were kept open. */
export interface DemoResult {
  summary: DemoSummary;
  /** Running servers, with `keepOpen` only. */
  stack?: DemoStack;
}

/**
 * Runs the whole demo: builds and starts the servers, drives Chromium through the story, prints each step and the
 * closing table, writes `summary.json`. The servers are stopped at the end unless `keepOpen` is set.
 *
 * @example
 * ```ts
 * const { summary } = await runDemo({ outputDir: 'test-results/demo' })
 * if (!summary.ok) process.exitCode = 1
 * ```
 */
export async function runDemo(options: RunDemoOptions = {}): Promise<DemoResult> {
  const outputDir = options.outputDir ?? DEMO_OUTPUT;
  const print = options.print ?? ((line: string) => console.log(line));
  const stack = await startDemoStack({ outputDir, ...(options.packageBuild && { packageBuild: options.packageBuild }) });
  try {
    print(describeStack(stack));
    const summary = await driveDemo(stack, {
      outputDir,
      headed: options.headed === true,
      onStep: (step, total) => print(formatStep(step, total, outputDir)),
    });
    writeSummary(summary, outputDir);
    print(`\n${formatTable(summary, outputDir)}`);
    if (options.keepOpen === true) return { summary, stack };
    await stack.close();
    return { summary };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** Where each server listens, for the first lines of the output. */
export function describeStack(stack: DemoStack): string {
  const { config } = stack;
  return [
    `bearer-sw demo`,
    `  SPA             ${config.appOrigin}/`,
    `  OpenID Provider ${config.issuer}  (access tokens live ${config.accessTokenTtl} s)`,
    `  token endpoint  ${config.tokenEndpoint}  (only the worker calls it: it runs the login)`,
    `  API             ${config.apiOrigin}/v1  (verifies every token against the provider's JWKS)`,
    `  third party     ${config.thirdPartyOrigin}/`,
    '',
  ].join('\n');
}
