import { resolve } from 'node:path';
import { redactUrl } from '../db/redact-url.js';
import { StepwiseError } from '../errors/stepwise-error.js';

// Where runs live: always a local state directory (the engine's socket and engine.json, logs while
// they are written, embedded databases, locks, the parsed-SQL cache), and in team mode a
// PostgreSQL state database holding the journal, snapshots, step definitions and log chunks.
export interface StateLocation {
  dir: string;
  url?: string;
}

const urlLike = /^[a-z][a-z0-9+.-]*:\/\//i;

// `--state <path|postgres://…>` (or STEPWISE_STATE) names either; `--state-dir` (or
// STEPWISE_STATE_DIR) names the local directory, by default ./.stepwise. A flag wins over the
// environment, except that `--state-dir` alone keeps a state database STEPWISE_STATE names (it
// only moves the local directory).
export function resolveState(flags: { state?: string; stateDir?: string }, env: NodeJS.ProcessEnv = process.env): StateLocation {
  const fromEnv = env.STEPWISE_STATE || undefined;
  const localDir = () => resolve(flags.stateDir ?? env.STEPWISE_STATE_DIR ?? '.stepwise');
  const given = flags.state ?? (fromEnv && (urlLike.test(fromEnv) || flags.stateDir === undefined) ? fromEnv : undefined);
  if (given === undefined) return { dir: localDir() };
  if (!urlLike.test(given)) return { dir: resolve(given) };
  if (!/^postgres(ql)?:\/\//i.test(given))
    throw new StepwiseError(`--state ${redactUrl(given)}: a state database is a postgres:// URL; anything else is a directory path`, 'usage');
  return { dir: localDir(), url: given };
}

// The state as messages name it: the directory, or the database with its password masked.
export function describeState(state: StateLocation): string {
  return state.url ? redactUrl(state.url) : state.dir;
}
