// Loaded with `node --import`: writes the URL of every ES module the process loads to the file
// named by STEPWISE_MODULE_LOG, so a test can see what a command loaded.
import { register } from 'node:module';
import { env } from 'node:process';

register('./module-log-loader.mjs', import.meta.url, { data: { log: env.STEPWISE_MODULE_LOG } });
