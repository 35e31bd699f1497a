import { signerOf } from '../journal/reducer.js';
import type { Intent } from '../protocol/messages.js';
import type { FollowedRun } from './follow-run.js';

export interface WaitingSignoff {
  // What the person is about to sign, as they read it before signing.
  text: string;
  intent?: Extract<Intent, { intent: 'signGate' | 'signStep' }>;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

// What a live run waits for a signature on (from the engine's next action), described in full:
// the gate's phase, its steps and checks and who signed already, or the manual step's instruction.
export function describeSignoff(
  followed: FollowedRun,
  signer: { user: string; identity: 'Unix user' | 'database role' },
): WaitingSignoff {
  const { user, identity } = signer;
  const { run, view, live } = followed;
  const next = live?.next;
  if (!run || !view || !next) return { text: 'the engine sent no state' };
  const header = `Run ${run.runId}: ${run.started.runbook.title}`;
  if (next.kind === 'gate') {
    const phase = run.phases.find((p) => p.id === next.phase)!;
    const needed = phase.gate?.signoff ?? 0;
    const lines = [header, `Gate of phase ${phase.id} (${phase.title})`];
    lines.push('  steps:');
    for (const id of phase.steps) lines.push(`    ${view.numbers[id] ?? ''} ${id}: ${run.steps[id].status}`);
    const checks = view.gatePreview[phase.id];
    if (checks) lines.push('  checks it runs:', indent(checks));
    lines.push(`  sign-offs needed: ${needed}, by different ${identity}s`);
    for (const s of phase.gateSignoffs) lines.push(`    signed by ${signerOf(s)} (${s.operator}) at ${s.ts}${s.note ? `: ${s.note}` : ''}`);
    if (phase.gateSignoffs.some((s) => signerOf(s) === user))
      lines.push(`  you (${user}) have signed already: another ${identity} must sign`);
    return { text: lines.join('\n'), intent: { intent: 'signGate', phase: phase.id, note: '' } };
  }
  if (next.kind === 'step' && next.needs === 'signoff') {
    const step = run.steps[next.step];
    return {
      text: [header, `Manual step ${view.numbers[step.id] ?? ''} ${step.id} (${step.title})`, indent(view.preview[step.id] ?? '')].join('\n'),
      intent: { intent: 'signStep', step: step.id, note: '' },
    };
  }
  const what = next.kind === 'done' ? 'nothing: the run has nothing left to do' : `step ${next.step}${next.needs ? ` (needs ${next.needs})` : ''}`;
  return { text: `${header}\nThe run waits for ${what}` };
}
