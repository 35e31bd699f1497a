import type { DbConnection } from '../../db/connection.js';
import type { ForecastBasis, ForecastStep } from '../../journal/forecast/forecast-run.js';
import { readStepHistory } from '../../journal/forecast/step-history.js';
import type { LoadedRunbook } from '../../runbook/loaded-runbook.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import { type IndexedStep, indexSteps } from '../step-index.js';
import { estimateSourceRows } from './estimate-source-rows.js';

// The source a step goes through row by row: a backfill's `from`, a compare's left table.
function sourceOf(entry: IndexedStep) {
  const { action } = entry;
  if (action.kind === 'backfill') return { conn: action.body.conn, table: action.body.from };
  if (action.kind === 'compare' && action.body.left.table)
    return { conn: action.body.left.conn, table: action.body.left.table };
  return undefined;
}

// Every step of the runbook as the forecast needs it. With connections, the sources' row counts
// now; without (plan on an embedded database), the forecast goes by earlier runs' rows.
export async function forecastSteps(
  loaded: LoadedRunbook,
  connections?: Record<string, DbConnection>,
): Promise<ForecastStep[]> {
  const names = Object.keys(connections ?? {});
  const steps: ForecastStep[] = [];
  for (const entry of indexSteps(loaded.runbook).values()) {
    const source = sourceOf(entry);
    const conn = source && connections?.[source.conn ?? (names.length === 1 ? names[0] : '')];
    steps.push({
      id: entry.step.id,
      kind: entry.kind,
      // Hashing the steps is left to a forecast with earlier runs to match them with.
      get hash() {
        return loaded.stepHashes[entry.step.id];
      },
      pointOfNoReturn: entry.step.point_of_no_return === true,
      undoable: entry.undo !== undefined,
      soakMs: entry.step.soak ? parseDuration(entry.step.soak.for) : undefined,
      rowEstimate: conn && source ? await estimateSourceRows(conn, source.table) : undefined,
    });
  }
  return steps;
}

// What the forecast of a run goes by: the runbook's steps now and the earlier runs in the state
// directory (all but `runId`).
export async function forecastBasis(
  loaded: LoadedRunbook,
  stateDir: string,
  runId: string | undefined,
  connections?: Record<string, DbConnection>,
): Promise<ForecastBasis> {
  return {
    steps: await forecastSteps(loaded, connections),
    history: readStepHistory(stateDir, loaded.runbook.name, runId),
  };
}
