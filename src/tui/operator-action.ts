import type { EngineIntents } from '../engine/engine-api.js';

// What a dialog does when the operator says yes: one intent, with what the dialog collected.
export type OperatorAction =
  | { type: 'run-step'; step: string }
  // `confirm`: the steps the phase's one confirmation covers, as the engine listed them.
  | { type: 'run-phase'; phase: string; confirm: string[] }
  | { type: 'sign-step'; step: string }
  | { type: 'sign-gate'; phase: string }
  | { type: 'skip'; step: string }
  | { type: 'mark-done'; step: string }
  | { type: 'end-soak'; step: string }
  | { type: 'rollback'; to?: string; confirm?: Record<string, string> };

export interface Collected {
  note?: string;
  phrase?: string;
}

// Without `collected` no dialog was shown (a read-only step): nothing to confirm.
export function performAction(
  engine: EngineIntents,
  action: OperatorAction,
  collected?: Collected,
): Promise<void> {
  const input = collected ?? {};
  switch (action.type) {
    case 'run-step':
      return collected
        ? engine.runStep(action.step, { phrase: input.phrase, note: input.note || 'confirmed' })
        : engine.runStep(action.step);
    case 'run-phase':
      return engine.runPhase(action.phase, { steps: action.confirm, note: input.note || undefined });
    case 'sign-step':
      return engine.signStep(action.step, input.note ?? '');
    case 'sign-gate':
      return engine.signGate(action.phase, input.note ?? '');
    case 'skip':
      return engine.skip(action.step, input.note ?? '');
    case 'mark-done':
      return engine.markDone(action.step, input.note ?? '');
    case 'end-soak':
      return engine.endSoak(action.step, input.note ?? '');
    case 'rollback':
      return engine.rollback({ to: action.to, note: input.note || undefined, confirm: action.confirm });
  }
}
