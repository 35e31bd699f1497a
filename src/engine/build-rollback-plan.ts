import { StepwiseError } from '../errors/stepwise-error.js';
import type { RunState } from '../journal/reducer.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { previewStep } from '../runbook/preview-step.js';
import type { Renderer } from '../runbook/render.js';
import type { RollbackPlan, RollbackPlanItem } from './engine-api.js';
import type { IndexedStep } from './step-index.js';
import { readOnlyKinds } from './step-rules.js';

// The completed steps in reverse order of completion, each reversed, signed off or passed over
// (ARCHITECTURE.md, One home per rule). `to` keeps the steps up to and including that one.
// Passing back over a step that needed a typed phrase to run needs that phrase again: undoing a
// point of no return is at least as grave as going through it.
export function buildRollbackPlan(
  state: RunState,
  index: Map<string, IndexedStep>,
  loaded: LoadedRunbook,
  renderer: Renderer,
  to?: string,
): RollbackPlan {
  let scope = state.order;
  if (to !== undefined) {
    const at = state.order.indexOf(to);
    if (at < 0)
      throw new StepwiseError(`--to ${to}: no such step in this run; steps: ${state.order.join(', ')}`);
    scope = state.order.slice(at + 1);
  }
  const completed = scope
    .map((id, position) => ({ s: state.steps[id], position }))
    .filter(({ s }) => s.status === 'succeeded' || s.status === 'rollback_failed')
    .sort((a, b) => (b.s.endedAt ?? '').localeCompare(a.s.endedAt ?? '') || b.position - a.position);
  const items: RollbackPlanItem[] = completed.map(({ s }) => {
    const entry = index.get(s.id);
    const title = s.title;
    if (!entry) return { step: s.id, title, action: 'signoff', note: 'no longer in the runbook' };
    if (readOnlyKinds.has(entry.kind))
      return { step: s.id, title, action: 'pass-over', note: 'changes nothing' };
    const body = entry.step.rollback;
    if (!body) {
      return {
        step: s.id,
        title,
        action: 'signoff',
        note: entry.kind === 'manual' ? 'manual step: undo it by hand' : 'irreversible: no rollback defined',
      };
    }
    // A manual rollback body is an instruction: the operator does it and signs it off.
    if (body.manual !== undefined) {
      return {
        step: s.id,
        title,
        action: 'signoff',
        note: 'undo it by hand',
        rendered: renderer.text(body.manual),
      };
    }
    return { step: s.id, title, action: 'reverse', rendered: previewStep(body, renderer, loaded) };
  });
  const phrases = completed.flatMap(({ s }) => {
    const confirm = index.get(s.id)?.step.confirm;
    return typeof confirm === 'string' ? [{ step: s.id, phrase: confirm }] : [];
  });
  return {
    items,
    phrases,
    pointOfNoReturnPassed: scope.filter(
      (id) => state.steps[id].pointOfNoReturn && state.steps[id].status === 'succeeded',
    ),
    partial: scope.filter(
      (id) =>
        ['failed', 'interrupted'].includes(state.steps[id].status) &&
        !readOnlyKinds.has(state.steps[id].kind),
    ),
  };
}
