import { redactUrl } from '../db/redact-url.js';
import { embeddedDir } from '../journal/state-dir.js';
import { wrongUrlScheme } from '../runbook/postgres-url.js';
import type { Runbook } from '../runbook/schema.js';
import { StepwiseError } from '../errors/stepwise-error.js';

export interface ConnectionDescription {
  name: string;
  url?: string;
  describe: string;
  production: boolean;
}

// Where each connection would point, without connecting: for `plan` and `demo`.
export function describeConnections(
  runbook: Runbook,
  env: NodeJS.ProcessEnv,
  stateDir: string,
): ConnectionDescription[] {
  return Object.entries(runbook.connections ?? {}).map(([name, def]) => {
    const source = typeof def.url === 'string' ? undefined : def.url?.env;
    const url = typeof def.url === 'string' ? def.url : source ? env[source] || undefined : undefined;
    if (url) {
      const wrong = wrongUrlScheme(url, redactUrl(url));
      if (wrong) throw new StepwiseError(`connection ${name}: ${wrong}; check ${source ?? 'its url'}`, 'usage');
      return { name, url, describe: redactUrl(url), production: def.production === true };
    }
    if (def.embedded) {
      const why = source ? ` (${source} is unset)` : '';
      return {
        name,
        describe: `embedded PGlite ${embeddedDir(stateDir, def.embedded)}${why}`,
        production: false,
      };
    }
    return {
      name,
      describe: `not configured: set ${source ?? 'its url'}`,
      production: def.production === true,
    };
  });
}
