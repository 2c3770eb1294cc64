// The test app's worker, as an app would write it: the config is code served by the app's own
// origin (generated per test run with the run's ports).
import { installTokenInjector, type InjectorConfig } from 'bearer-sw/worker';
import config from '/sw-config.js';

const injectorConfig: InjectorConfig = { apis: config.apis, debug: true };
if (config.refreshLeewaySeconds !== undefined) injectorConfig.refreshLeewaySeconds = config.refreshLeewaySeconds;
if (config.databaseName !== undefined) injectorConfig.databaseName = config.databaseName;
if (config.exposeAccessToken !== undefined) injectorConfig.exposeAccessToken = config.exposeAccessToken;

installTokenInjector(injectorConfig);
