import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { previewStep } from '../runbook/preview-step.js';
import type { Renderer } from '../runbook/render.js';

// What each phase's gate checks run (by phase id), one check after the other, values filled in
// and secrets masked: shown when the gate is signed off, which runs them first.
export function previewGates(loaded: LoadedRunbook, renderer: Renderer): Record<string, string> {
  const previews: Record<string, string> = {};
  for (const phase of loaded.runbook.phases) {
    const checks = phase.gate?.checks ?? [];
    if (checks.length === 0) continue;
    previews[phase.id] = checks.map((check) => previewStep({ check }, renderer, loaded)).join('\n\n');
  }
  return previews;
}
