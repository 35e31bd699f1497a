import type { DbConnection } from '../db/connection.js';
import type { Journal } from '../journal/journal.js';
import type { ForecastBasis } from '../journal/forecast/forecast-run.js';
import type { RunState } from '../journal/reducer.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import type { Renderer } from '../runbook/render.js';
import type { JournalAnchor } from './anchor-keeper.js';
import type { DriftItem } from './engine-api.js';
import type { Clock } from './time/clock.js';

// What an engine is opened with (engine/open-run.ts builds it).
export interface EngineSetup {
  loaded: LoadedRunbook;
  stateDir: string;
  journal: Journal;
  state: RunState;
  connections: Record<string, DbConnection>;
  renderer: Renderer;
  operator: string;
  // The Unix user the engine runs as: the kernel's word for whoever started it in this process.
  user: string;
  // Team mode: the database role of the engine's journal connection (session_user); the
  // engine's own sign-offs and those of its socket's clients count as this role.
  role?: string;
  // Team mode: the host of the engine this one took the run from (a process group it left is
  // there, not here).
  priorHost?: string;
  drift?: DriftItem[];
  // Time for soaks (and what else waits on the calendar); the system clock unless a test moves it.
  clock?: Clock;
  forecast?: ForecastBasis;
  // Where `notify:` finds its webhook URLs and passes its commands' environment.
  env?: NodeJS.ProcessEnv;
  // Every soak lasts this long instead of its `for` (the demo: seconds, not a day).
  soakFor?: string;
  // A rehearsal notifies nobody.
  rehearsal?: boolean;
  // Keeps the journal's head in the run's databases (engine/anchor-keeper.ts).
  anchor?: JournalAnchor;
}
