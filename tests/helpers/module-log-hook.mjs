// Loaded with `node --import`: writes the URL of every module the process loads to the file
// named by STEPWISE_MODULE_LOG, so a test can see what a command loaded: ES modules through a
// loader hook, CommonJS ones (createRequire, as the loader reads `yaml`) through Module._load.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { env } from 'node:process';
import { pathToFileURL } from 'node:url';

const log = env.STEPWISE_MODULE_LOG;
register('./module-log-loader.mjs', import.meta.url, { data: { log } });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (log && !Module.isBuiltin(request)) {
    const file = Module._resolveFilename(request, parent, isMain);
    appendFileSync(log, `${pathToFileURL(file).href}\n`);
  }
  return load.apply(this, [request, parent, isMain]);
};
