import type { LockHolder } from '../journal/run-lock.js';
import type { RunState } from '../journal/reducer.js';
import type { RunRecord } from '../journal/run-record.js';
import { describeRunState, type RunCondition, stepDone, stepsDone } from '../journal/run-questions.js';

// One line of `stepwise status`: what a run is doing, from its journal and its lock.

export type RunSummaryState = RunCondition | 'damaged';

export interface RunSummary {
  runId: string;
  runbook?: string;
  title?: string;
  state: RunSummaryState;
  // Why it is paused, or what is wrong with its journal.
  reason?: string;
  progress: { done: number; total: number };
  current?: string;
  operators: string[];
  startedAt?: string;
  lastEventAt?: string;
  // The process driving it now, when there is one.
  holder?: LockHolder;
}

// The step a person would ask about: the one running, interrupted or failed, else the next one.
function currentStep(state: RunState): string | undefined {
  const busy = state.order.find((id) =>
    ['running', 'rolling_back', 'interrupted', 'failed', 'rollback_failed'].includes(state.steps[id].status),
  );
  if (busy) return busy;
  if (state.status === 'succeeded' || state.status === 'rolled_back') return undefined;
  return state.order.find((id) => !stepDone(state.steps[id]));
}

// `liveHolder`: the holder of the runbook's lock, when that process is alive.
export function summariseRun(runId: string, record: RunRecord, liveHolder?: LockHolder): RunSummary {
  const { state } = record;
  const damage = record.history.rejected[0]?.message.replace(/^event rejected: /, '');
  if (!state) {
    return {
      runId,
      state: 'damaged',
      reason: 'no run.started event',
      progress: { done: 0, total: 0 },
      operators: [],
    };
  }
  const live = liveHolder?.runId === runId;
  return {
    runId,
    runbook: state.started.runbook.name,
    title: state.started.runbook.title,
    state: damage ? 'damaged' : describeRunState(state, live),
    reason: damage ?? (state.status === 'paused' ? state.pauseReason : undefined),
    progress: stepsDone(state),
    current: currentStep(state),
    operators: state.operators,
    startedAt: state.startedAt,
    lastEventAt: state.lastEventAt,
    holder: live ? liveHolder : undefined,
  };
}
