import { useRef, useState } from 'react';
import type { EngineView } from '../../engine/engine-api.js';
import {
  type ChecklistRow,
  checklistRows,
  defaultSelection,
  gateKey,
  phaseKey,
  phaseOfKey,
  stepKey,
} from '../checklist-rows.js';

export type Move = { by: number } | 'first' | 'last';

export interface ChecklistSelection {
  selected: string;
  rows: ChecklistRow[];
  move(how: Move): void;
  // Back to following the engine: the active step, else the next thing to do.
  follow(): void;
}

interface Nav {
  selection?: string;
  following: boolean;
}

function resolve(nav: Nav, view: EngineView): string {
  const auto = defaultSelection(view.run, view.live.active?.step, view.next);
  const candidate = nav.following || !nav.selection ? auto : nav.selection;
  return phaseOfKey(view.run, candidate) ? candidate : auto;
}

// Moving up from a phase lands on the last row of the phase above (its gate or last step),
// so j/k walk every row although only the selected phase is expanded.
function moved(view: EngineView, rows: ChecklistRow[], selected: string, how: Move): string {
  if (how === 'first') return rows[0]?.key ?? selected;
  if (how === 'last') return rows.at(-1)?.key ?? selected;
  const at = Math.max(
    0,
    rows.findIndex((r) => r.key === selected),
  );
  if (how.by === -1 && rows[at]?.kind === 'phase') {
    const index = view.run.phases.findIndex((p) => p.id === rows[at].phase);
    const above = view.run.phases[index - 1];
    if (above) {
      if (above.gate) return gateKey(above.id);
      const last = above.steps.at(-1);
      return last ? stepKey(last) : phaseKey(above.id);
    }
  }
  return rows[Math.min(rows.length - 1, Math.max(0, at + how.by))]?.key ?? selected;
}

// The selected checklist row. It follows the engine until the operator moves it; moves are
// applied to the latest selection, so keys arriving faster than renders are not lost.
export function useChecklistSelection(view: EngineView): ChecklistSelection {
  const [nav, setNav] = useState<Nav>({ following: true });
  const latestView = useRef(view);
  latestView.current = view;
  const selected = resolve(nav, view);
  return {
    selected,
    rows: checklistRows(view.run, phaseOfKey(view.run, selected)),
    move: (how) =>
      setNav((current) => {
        const v = latestView.current;
        const from = resolve(current, v);
        return {
          selection: moved(v, checklistRows(v.run, phaseOfKey(v.run, from)), from, how),
          following: false,
        };
      }),
    follow: () => setNav({ following: true }),
  };
}
