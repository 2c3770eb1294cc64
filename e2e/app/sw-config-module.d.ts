// Types of `/sw-config.js`, the module the app server generates per run (mapped in tsconfig paths).
import type { TestWorkerConfig } from '../support/sw-config.js';

declare const config: TestWorkerConfig;
export default config;
