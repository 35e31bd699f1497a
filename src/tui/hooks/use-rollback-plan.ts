import { useEffect, useState } from 'react';
import type { EngineHandle, RollbackPlan } from '../../engine/engine-api.js';
import type { RunState } from '../../journal/reducer.js';

export interface PlannedRollback {
  plan?: RollbackPlan;
  error?: string;
}

// The engine's rollback plan, asked again whenever the run's state changes (the plan follows
// it); a detached engine answers over its socket, so the first frame may have none yet.
export function useRollbackPlan(engine: EngineHandle, run: RunState, to?: string): PlannedRollback | undefined {
  const [planned, setPlanned] = useState<PlannedRollback>();
  useEffect(() => {
    let current = true;
    Promise.resolve()
      .then(() => engine.rollbackPlan(to))
      .then(
        (plan) => current && setPlanned({ plan }),
        (error: unknown) => current && setPlanned({ error: error instanceof Error ? error.message : String(error) }),
      );
    return () => {
      current = false;
    };
  }, [engine, run, to]);
  return planned;
}
