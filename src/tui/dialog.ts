import type { RollbackPlan } from '../engine/engine-api.js';
import type { OperatorAction } from './operator-action.js';

// The dialogs in front of everything that changes a run. Each carries the action it performs.
export interface DialogText {
  title: string;
  // Paragraphs, wrapped to the screen.
  body: string[];
  // What a sign-off is about (a manual step's instruction; a gate's steps, checks and
  // sign-offs): plain text under its label, wrapped to the screen, before the preview.
  about?: { label: string; text: string };
  // What will run, shown as code.
  preview?: string;
  // A production target or a point of no return: drawn in red.
  danger?: boolean;
}

export type Dialog =
  | ({ kind: 'confirm'; action: OperatorAction } & DialogText)
  | ({ kind: 'phrase'; action: OperatorAction; phrase: string } & DialogText)
  // A sign-off's note names its `signer`: who the engine journals it as.
  | ({ kind: 'note'; action: OperatorAction; label: string; required: boolean; signer?: string } & DialogText)
  // Rolling back past a step that needed a typed phrase: that phrase again, one step at a time,
  // with the phrases typed so far.
  | ({
      kind: 'rollback-phrase';
      plan: RollbackPlan;
      to?: string;
      typed: Record<string, string>;
      step: string;
      phrase: string;
    } & DialogText)
  | { kind: 'interrupted'; step: string }
  | { kind: 'drift' }
  | { kind: 'quit' }
  | { kind: 'interrupt' }
  | { kind: 'rollback-plan'; to?: string };
