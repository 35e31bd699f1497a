import { type PhaseState, signerOf } from '../../journal/reducer.js';

// "gate: checks + sign-off", "gate: 1/2 sign-offs".
export function gateLabel(phase: PhaseState): string {
  const gate = phase.gate;
  if (!gate) return '';
  const parts: string[] = [];
  if (gate.checks > 0) parts.push(gate.checks === 1 ? 'check' : `${gate.checks} checks`);
  if (gate.signoff === 1) parts.push('sign-off');
  if (gate.signoff > 1) {
    const signers = new Set(phase.gateSignoffs.map(signerOf)).size;
    parts.push(`${Math.min(signers, gate.signoff)}/${gate.signoff} sign-offs`);
  }
  return `gate: ${parts.join(' + ') || 'open'}`;
}
