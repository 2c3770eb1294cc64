// Types of `/demo-config.js`, the module the demo's app server generates per run (mapped in tsconfig paths).
import type { DemoConfig } from '../demo-config.js';

declare const config: DemoConfig;
export default config;
