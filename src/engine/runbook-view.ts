import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { previewStep } from '../runbook/preview-step.js';
import type { Renderer } from '../runbook/render.js';
import type { EngineView } from './engine-api.js';
import { previewGates } from './preview-gates.js';
import type { IndexedStep } from './step-index.js';

// The part of the engine view fixed for the whole run: the runbook, what each step and gate
// will run (values filled in, secrets masked) and the step numbers.
export function runbookView(
  loaded: LoadedRunbook,
  renderer: Renderer,
  index: Map<string, IndexedStep>,
): Pick<EngineView, 'runbook' | 'preview' | 'gatePreview' | 'numbers'> {
  const preview: Record<string, string> = {};
  const numbers: Record<string, string> = {};
  for (const [id, entry] of index) {
    preview[id] = renderer.mask(previewStep(entry.step, renderer, loaded));
    numbers[id] = entry.number;
  }
  return {
    runbook: { path: loaded.path, sha256: loaded.sha256, runbook: loaded.runbook },
    preview,
    gatePreview: previewGates(loaded, renderer),
    numbers,
  };
}
