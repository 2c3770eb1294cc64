import type { DemoStep } from './step.js';
import { backgroundTabStep } from './steps/background-tab.js';
import { loginAgainLogoutStep } from './steps/login-again-logout.js';
import { loginStep } from './steps/login.js';
import { parallelBurstStep } from './steps/parallel-burst.js';
import { plainFetchStep } from './steps/plain-fetch.js';
import { registerStep } from './steps/register.js';
import { revokedSessionStep } from './steps/revoked-session.js';
import { stolenTokensStep } from './steps/stolen-tokens.js';
import { tokenEndpointRefusedStep } from './steps/token-endpoint-refused.js';
import { workerRestartStep } from './steps/worker-restart.js';

/** The story, in order; `outputDir` receives the extra screenshot of the provider's login page. */
export function demoSteps(outputDir: string): DemoStep[] {
  return [
    registerStep,
    loginStep(outputDir),
    plainFetchStep,
    tokenEndpointRefusedStep,
    stolenTokensStep,
    backgroundTabStep,
    parallelBurstStep,
    workerRestartStep,
    revokedSessionStep,
    loginAgainLogoutStep,
  ];
}
