/**
 * Runs the shared end-to-end scenarios (`scenarios.ts`) in Chromium, Firefox and WebKit, one
 * engine after the other, one fresh browser session per scenario.
 *
 *   npx tsx e2e/engines/run-engines.ts [chromium] [firefox] [webkit] [--grep TEXT] [--report FILE]
 *
 * No engine named: all three. An engine whose browser is missing is reported as skipped, with
 * the command that installs it. Builds the package and the test app (and packs the tarball the
 * examples install) first unless
 * `BEARER_SW_SKIP_BUILD=1`. Prints one line per scenario, one per engine, and a closing
 * `N passed, M failed[, K skipped]`; exits 1 when anything failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildFixtures } from '../support/build-fixtures.js';
import { packTarball } from '../support/examples.js';
import type { EngineDriver, EngineName } from './engine-driver.js';
import { ENGINES, type Engine } from './engines.js';
import { startEnvironment, type Environment } from './environment.js';
import { scenarioContext, type Scenario } from './scenario.js';
import { scenarios } from './scenarios.js';
import { withTimeout } from './wait.js';

/** The longest one scenario may take, browser session included (WebKit's worker stop alone is 12 s). */
const SCENARIO_TIMEOUT_MS = 90_000;
const LAUNCH_TIMEOUT_MS = 60_000;

type Outcome = 'passed' | 'failed' | 'skipped';

/** One scenario's result in the report. */
export interface ScenarioResult {
  name: string;
  outcome: Outcome;
  ms: number;
  error?: string;
}

/** One engine's part of the report (`test-results/engines.json` under `npm test`). */
export interface EngineReport {
  engine: EngineName;
  status: 'ran' | 'skipped' | 'launch-failed';
  version: string | null;
  /** Why it was skipped or failed to launch. */
  reason?: string;
  /** The command that installs the engine, for a skipped one. */
  install?: string;
  ms: number;
  scenarios: ScenarioResult[];
}

function parseArgs(argv: string[]): { engines: Engine[]; grep: string | null; report: string | null } {
  const names: string[] = [];
  let grep: string | null = null;
  let report: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--grep') grep = argv[++i] ?? '';
    else if (arg === '--report') report = argv[++i] ?? null;
    else names.push(arg);
  }
  const engines = names.length === 0 ? [...ENGINES] : names.map((name) => {
    const engine = ENGINES.find((e) => e.name === name);
    if (engine === undefined) throw new Error(`Failed to start: unknown engine '${name}' (known: ${ENGINES.map((e) => e.name).join(', ')})`);
    return engine;
  });
  return { engines, grep, report };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const firstLines = (error: unknown) => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n').slice(0, 12).join('\n');
};

/** A scenario whose browser session never opened: nothing of the scenario ran. */
interface SessionNotOpened {
  notOpened: true;
  error: string;
}

async function runScenario(driver: EngineDriver, env: Environment, scenario: Scenario): Promise<ScenarioResult | SessionNotOpened> {
  const started = Date.now();
  env.reset();
  let session;
  try {
    session = await withTimeout(driver.newSession(), LAUNCH_TIMEOUT_MS, 'open a browser session');
  } catch (error) {
    return { notOpened: true, error: firstLines(error) };
  }
  try {
    await withTimeout(scenario.run(scenarioContext(driver.engine, env, session)), SCENARIO_TIMEOUT_MS, `run '${scenario.name}'`);
    return { name: scenario.name, outcome: 'passed', ms: Date.now() - started };
  } catch (error) {
    return { name: scenario.name, outcome: 'failed', ms: Date.now() - started, error: firstLines(error) };
  } finally {
    await withTimeout(session.close(), 30_000, 'close the browser session').catch((error: unknown) => console.error(`    (${firstLines(error)})`));
  }
}

async function runEngine(engine: Engine, env: Environment, selected: readonly Scenario[]): Promise<EngineReport> {
  const started = Date.now();
  const found = engine.find();
  if ('missing' in found) {
    console.log(`\n━━ ${engine.name}: SKIPPED, ${found.missing}. Install it with: ${engine.install}`);
    return {
      engine: engine.name,
      status: 'skipped',
      version: null,
      reason: found.missing,
      install: engine.install,
      ms: 0,
      scenarios: selected.map((s) => ({ name: s.name, outcome: 'skipped', ms: 0 })),
    };
  }
  let driver: EngineDriver;
  try {
    driver = await withTimeout(engine.launch(found.binary), LAUNCH_TIMEOUT_MS, `launch ${engine.name}`);
  } catch (error) {
    const reason = firstLines(error);
    console.log(`\n━━ ${engine.name}: FAILED TO LAUNCH ${found.binary}\n${reason}`);
    return {
      engine: engine.name,
      status: 'launch-failed',
      version: null,
      reason,
      ms: Date.now() - started,
      scenarios: selected.map((s) => ({ name: s.name, outcome: 'failed', ms: 0, error: reason })),
    };
  }
  console.log(`\n━━ ${engine.name} ${driver.version} (${found.binary})`);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of selected) {
      const started = Date.now();
      let outcome = await runScenario(driver, env, scenario);
      if ('notOpened' in outcome) {
        // The browser never gave us a session (a driver stuck on a loaded machine), so the scenario
        // did not run at all: relaunch the engine once and run it then. A scenario that ran and
        // failed is never retried.
        console.log(`  … ${engine.name} opened no browser session (${outcome.error.split('\n')[0]}); relaunching it`);
        await withTimeout(driver.close(), 30_000, `close ${engine.name}`).catch(() => undefined);
        try {
          driver = await withTimeout(engine.launch(found.binary), LAUNCH_TIMEOUT_MS, `relaunch ${engine.name}`);
          outcome = await runScenario(driver, env, scenario);
        } catch (error) {
          outcome = { notOpened: true, error: firstLines(error) };
        }
      }
      const result: ScenarioResult =
        'notOpened' in outcome ? { name: scenario.name, outcome: 'failed', ms: Date.now() - started, error: outcome.error } : outcome;
      results.push(result);
      console.log(`  ${result.outcome === 'passed' ? '✓' : '✗'} ${scenario.name} (${seconds(result.ms)})`);
      if (result.error) console.log(result.error.replace(/^/gm, '      '));
    }
  } finally {
    await withTimeout(driver.close(), 30_000, `close ${engine.name}`).catch((error: unknown) => console.error(firstLines(error)));
  }
  const ms = Date.now() - started;
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  console.log(`  ${engine.name}: ${count('passed')} passed, ${count('failed')} failed in ${seconds(ms)}`);
  return { engine: engine.name, status: 'ran', version: driver.version, ms, scenarios: results };
}

async function main(): Promise<number> {
  const { engines, grep, report } = parseArgs(process.argv.slice(2));
  const selected = grep === null ? scenarios : scenarios.filter((s) => s.name.includes(grep));
  if (selected.length === 0) throw new Error(`Failed to start: no scenario matches '${grep}'`);
  if (process.env.BEARER_SW_SKIP_BUILD !== '1') {
    console.log('Building the package and the test app, packing the tarball for the examples…');
    await buildFixtures();
    packTarball();
  }
  const env = await startEnvironment();
  const reports: EngineReport[] = [];
  try {
    for (const engine of engines) reports.push(await runEngine(engine, env, selected));
  } finally {
    await env.close();
  }
  if (report !== null) {
    mkdirSync(dirname(report), { recursive: true });
    writeFileSync(report, `${JSON.stringify({ engines: reports }, null, 2)}\n`);
  }
  const all = reports.flatMap((r) => r.scenarios);
  const count = (outcome: Outcome) => all.filter((r) => r.outcome === outcome).length;
  console.log('\n━━ engines');
  for (const r of reports) {
    const line = r.status === 'skipped' ? `skipped (${r.reason}); install: ${r.install}` : `${r.scenarios.filter((s) => s.outcome === 'passed').length}/${r.scenarios.length} passed in ${seconds(r.ms)}`;
    console.log(`  ${r.engine.padEnd(9)} ${(r.version ?? '-').padEnd(16)} ${line}`);
  }
  const skipped = count('skipped');
  console.log(`${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return count('failed') === 0 ? 0 : 1;
}

// Exit through process.exit on a signal, so exit handlers stop the browsers and drivers started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
