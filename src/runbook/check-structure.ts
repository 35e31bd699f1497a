import type { CheckInput } from './check-input.js';
import { describeLocation, subject } from './describe-location.js';
import type { Diagnostic } from './loaded-runbook.js';
import { parseDuration } from './parse-duration.js';
import { type StepKind, stepKinds } from './schema.js';
import type { YamlPath } from './yaml-locator.js';

const kindList = stepKinds.join(', ');
// A soak spans resumes: it cannot undo anything, so it is no rollback body.
const rollbackKindList = stepKinds.filter((k) => k !== 'soak').join(', ');
const countWords = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'];

function kindsOf(body: object): StepKind[] {
  return stepKinds.filter((k) => (body as Record<string, unknown>)[k] !== undefined);
}

// Exactly one kind key per step and per rollback body.
function checkKinds(input: CheckInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  input.runbook.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      const path = ['phases', p, 'steps', s];
      const bodies: Array<[string, object, YamlPath]> = [[`step "${step.id}"`, step, path]];
      if (step.rollback) bodies.push([`step "${step.id}": rollback`, step.rollback, [...path, 'rollback']]);
      for (const [what, body, bodyPath] of bodies) {
        const kindsAllowed = body === step ? kindList : rollbackKindList;
        // In the order written, so the message points at the second one.
        const written = kindsOf(body);
        const kinds =
          written.length < 2
            ? written
            : written
                .map((kind) => ({ kind, at: input.locator.position([...bodyPath, kind], 'key') }))
                .sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col)
                .map((k) => k.kind);
        if (kinds.length === 1) {
          if (body === step && step.rows && kinds[0] !== 'sql') {
            const message = `step "${step.id}": rows guards sql steps only; remove it or make the step an sql step`;
            out.push(input.at([...path, 'rows'], message, 'body-form', 'key'));
          }
          continue;
        }
        if (kinds.length === 0) {
          out.push(
            input.at(bodyPath, `${what} has no kind; give it exactly one of ${kindsAllowed}`, 'step-kind'),
          );
        } else {
          const message = `${what} has ${countWords[kinds.length]} kinds (${kinds.join(', ')}); a step has exactly one of ${kindsAllowed}`;
          out.push(input.at([...bodyPath, kinds[1]], message, 'step-kind', 'key'));
        }
      }
    });
  });
  return out;
}

function checkUniqueIds(input: CheckInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const phases = new Map<string, YamlPath>();
  const steps = new Map<string, YamlPath>();
  input.runbook.phases.forEach((phase, p) => {
    const phasePath = ['phases', p, 'id'];
    const firstPhase = phases.get(phase.id);
    if (firstPhase) {
      const message = `phase id "${phase.id}" is already used at line ${input.lineOf(firstPhase)}; phase ids must be unique`;
      out.push(input.at(phasePath, message, 'duplicate-id'));
    } else phases.set(phase.id, phasePath);
    phase.steps.forEach((step, s) => {
      const stepPath = ['phases', p, 'steps', s, 'id'];
      const first = steps.get(step.id);
      if (first) {
        const message = `step id "${step.id}" is already used at line ${input.lineOf(first)}; step ids must be unique in the runbook`;
        out.push(input.at(stepPath, message, 'duplicate-id'));
      } else steps.set(step.id, stepPath);
    });
  });
  return out;
}

function exactlyOne(
  input: CheckInput,
  path: YamlPath,
  body: Record<string, unknown>,
  keys: [string, string],
  why: string,
): Diagnostic[] {
  const given = keys.filter((k) => body[k] !== undefined);
  if (given.length === 1) return [];
  const about = subject(describeLocation(input.runbook, path));
  if (given.length === 0)
    return [input.at(path, `${about} needs ${keys[0]} or ${keys[1]}${why}`, 'body-form')];
  return [
    input.at(
      [...path, keys[1]],
      `${about} has both ${keys[0]} and ${keys[1]}; give only one${why}`,
      'body-form',
      'key',
    ),
  ];
}

// Bodies whose schema allows two alternatives: exactly one must be given.
function checkAlternatives(input: CheckInput): Diagnostic[] {
  return input.bodies.flatMap((site): Diagnostic[] => {
    const { path } = site;
    switch (site.kind) {
      case 'run':
        if (Array.isArray(site.body)) return [];
        return exactlyOne(input, path, site.body, ['argv', 'shell'], ' (argv runs without a shell)');
      case 'sql':
        if (typeof site.body === 'string') return [];
        return exactlyOne(input, path, site.body, ['text', 'file'], '');
      case 'demo':
        return exactlyOne(input, path, site.body, ['text', 'file'], '');
      case 'wait':
        return exactlyOne(input, path, site.body, ['sql', 'run'], ' to poll');
      case 'compare':
        return (['left', 'right'] as const).flatMap((side) =>
          exactlyOne(input, [...path, side], site.body[side], ['table', 'query'], ''),
        );
      case 'backfill': {
        const batch = site.body.batch;
        if (typeof batch !== 'string' || /^\s*\d+\s*$/.test(batch) || /^\s*\{\{[^}]*\}\}\s*$/.test(batch))
          return [];
        const about = subject(describeLocation(input.runbook, [...path, 'batch']));
        return [
          input.at([...path, 'batch'], `${about} must be a number of rows or "{{ vars.NAME }}"`, 'body-form'),
        ];
      }
      case 'soak': {
        const { every } = site.body;
        if (every === undefined || parseDuration(every) <= parseDuration(site.body.for)) return [];
        const about = subject(describeLocation(input.runbook, path));
        const message = `${about} checks every ${every}, longer than it soaks (${site.body.for}); make every shorter than for`;
        return [input.at([...path, 'every'], message, 'body-form')];
      }
      default:
        return [];
    }
  });
}

export function checkStructure(input: CheckInput): Diagnostic[] {
  return [...checkKinds(input), ...checkUniqueIds(input), ...checkAlternatives(input)];
}
