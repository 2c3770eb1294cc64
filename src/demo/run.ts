// `npm run demo` (`tsx src/demo/run.ts`): the whole story in Chromium, then a summary; exits 1 if a step failed.
// Flags: --headed (visible browser), --keep-open (servers stay up afterwards), --serve (`npm run dev`: servers only).
import { parseArgs } from 'node:util';

import { describeStack, runDemo } from './run-demo.js';
import { DEMO_OUTPUT } from './paths.js';
import type { DemoStack } from './server/start-demo-stack.js';
import { startDemoStack } from './server/start-demo-stack.js';

const { values } = parseArgs({
  options: {
    headed: { type: 'boolean', default: false },
    'keep-open': { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('Usage: npm run demo -- [--headed] [--keep-open]    or    npm run dev  (same as --serve: servers only)');
  process.exit(0);
}

function hasDisplay(): boolean {
  return process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env.DISPLAY ?? process.env.WAYLAND_DISPLAY);
}

/** Keeps the servers up until Ctrl-C. */
function stayOpen(stack: DemoStack): void {
  console.log(`\nServers are running. Open ${stack.config.appOrigin}/ in your browser (log in with any name and password).`);
  console.log('Press Ctrl-C to stop.');
  const stop = () => {
    void stack.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (values.serve) {
  const stack = await startDemoStack({ outputDir: DEMO_OUTPUT });
  console.log(describeStack(stack));
  stayOpen(stack);
} else {
  const headed = values.headed && hasDisplay();
  if (values.headed && !headed) console.log('No display found: running headless.\n');
  try {
    const { summary, stack } = await runDemo({ headed, keepOpen: values['keep-open'] });
    process.exitCode = summary.ok ? 0 : 1;
    if (stack !== undefined) stayOpen(stack);
  } catch (error) {
    // Setup failures (no browser, a build error) are not steps: say what went wrong, without a stack trace.
    console.error(`\nThe demo could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
