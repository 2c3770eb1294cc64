// `npm test`: lint, typecheck, build, size budget, API docs, error docs, unit tests (Vitest), end-to-end tests (Playwright in
// Chromium), the shared scenarios in Chromium, Firefox and WebKit, then one closing line
// `N passed, M failed` over everything that ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { findChromium, INSTALL_HINT } from './find-chromium.mjs';

const results = []; // { name, passed, failed, skipped }
const bin = (name) => `node_modules/.bin/${name}`;

function run(title, command, args, env = {}) {
  console.log(`\n━━ ${title}: ${command} ${args.join(' ')}`);
  const child = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return child.status === 0;
}

function check(name, ok) {
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

mkdirSync('test-results', { recursive: true });

check('lint', run('lint', bin('eslint'), ['.']));
const built = check('build', run('build', 'npm', ['run', '--silent', 'build']));
check('typecheck', run('typecheck', bin('tsc'), ['-p', 'tsconfig.tools.json']));
// Size budget (scripts/check-size.mjs): the built entries, bundled with their dependencies, gzipped.
check('size budget', built && run('size budget', 'node', ['scripts/check-size.mjs']));
// README.md's API section against the built declarations (scripts/check-api-docs.mjs), so the docs cannot drift.
check('api docs', built && run('api docs', 'node', ['scripts/check-api-docs.mjs']));
// docs/errors.md (the ids of the production build's compact messages) against the sources (scripts/error-docs.mjs).
check('error docs', run('error docs', 'node', ['scripts/error-docs.mjs']));

// Unit tests
rmSync('test-results/unit.json', { force: true });
run('unit tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit.json']);
const unit = readJson('test-results/unit.json');
if (unit) results.push({ name: 'unit', passed: unit.numPassedTests, failed: unit.numFailedTests, skipped: unit.numPendingTests + unit.numTodoTests });
else check('unit (no report)', false);

// End-to-end tests in Chromium
const chromium = (() => {
  try {
    return findChromium();
  } catch (error) {
    console.error(error.message);
    return null;
  }
})();
if (!built) {
  console.error('\nEnd-to-end tests not run: the build failed.');
  check('e2e (not run: build failed)', false);
} else if (chromium === null) {
  console.error(`\n${INSTALL_HINT}`);
  check('e2e (not run: no Chromium)', false);
} else {
  console.log(`\nChromium: ${chromium.path} (from ${chromium.source})`);
  rmSync('test-results/e2e.json', { force: true });
  run('end-to-end tests (Chromium)', bin('playwright'), ['test'], { BEARER_SW_SKIP_BUILD: '0' });
  const e2e = readJson('test-results/e2e.json');
  if (e2e) results.push({ name: 'e2e chromium', passed: e2e.stats.expected + e2e.stats.flaky, failed: e2e.stats.unexpected, skipped: e2e.stats.skipped });
  else check('e2e chromium (no report)', false);
}

// The shared scenarios (e2e/engines/scenarios.ts) in Chromium, Firefox and WebKit, one engine
// after the other. An engine whose browser is missing counts as skipped, with its install command.
if (!built) {
  console.error('\nCross-engine scenarios not run: the build failed.');
  check('engines (not run: build failed)', false);
} else {
  rmSync('test-results/engines.json', { force: true });
  // Playwright's global setup has just built the package and the test app; build again only if it did not run.
  run('end-to-end scenarios (Chromium, Firefox, WebKit)', bin('tsx'), ['e2e/engines/run-engines.ts', '--report', 'test-results/engines.json'], {
    BEARER_SW_SKIP_BUILD: chromium === null ? '0' : '1',
  });
  const engines = readJson('test-results/engines.json');
  if (!engines) check('engines (no report)', false);
  for (const engine of engines?.engines ?? []) {
    const count = (outcome) => engine.scenarios.filter((s) => s.outcome === outcome).length;
    results.push({ name: `engines ${engine.engine}`, passed: count('passed'), failed: count('failed'), skipped: count('skipped') });
    if (engine.status === 'skipped') console.error(`\n${engine.engine} skipped (${engine.reason}). Install it with: ${engine.install}`);
  }
}

console.log('\n━━ summary');
for (const r of results) console.log(`  ${r.name.padEnd(28)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && existsSync('test-results') ? 0 : 1);
