import { describe, expect, it } from 'vitest';
import type { StepwiseError } from '../../src/errors/stepwise-error.js';
import { resolveVars } from '../../src/runbook/resolve-vars.js';
import type { Runbook } from '../../src/runbook/schema.js';

function runbookWithVars(vars: Runbook['vars']): Runbook {
  return { version: 1, name: 'r', vars, phases: [{ id: 'p', steps: [{ id: 's', manual: 'ok' }] }] };
}

describe('resolving variables', () => {
  const runbook = runbookWithVars({
    batch_size: { default: 5000, env: 'RV_BATCH' },
    dry: { default: false },
    ticket: { prompt: 'Change ticket id' },
    api_token: { env: 'RV_TOKEN', secret: true, prompt: 'API token' },
  });

  it('takes --var over the environment over the default, typed like the default', () => {
    const resolved = resolveVars(runbook, {
      cli: { batch_size: '200', dry: 'true' },
      env: { RV_BATCH: '900', RV_TOKEN: 't0k' },
    });
    expect(resolved.values).toEqual({ batch_size: 200, dry: true, api_token: 't0k' });
    expect(resolveVars(runbook, { cli: {}, env: { RV_BATCH: '900' } }).values.batch_size).toBe(900);
    expect(resolveVars(runbook, { cli: {}, env: {} }).values.batch_size).toBe(5000);
    expect(resolved.secretVars).toEqual(['api_token']);
  });

  it('takes variables named constructor, toString or hasOwnProperty as values like any other', () => {
    const named = runbookWithVars({
      constructor: { default: 'c' },
      toString: { default: 7 },
      hasOwnProperty: { env: 'constructor', default: 'h' },
    });
    expect(resolveVars(named, { cli: {}, env: {} }).values).toEqual({ constructor: 'c', toString: 7, hasOwnProperty: 'h' });
    expect(resolveVars(named, { cli: { toString: '8' }, env: { constructor: 'from-env' } }).values).toEqual({
      constructor: 'c',
      toString: 8,
      hasOwnProperty: 'from-env',
    });
  });

  it('leaves variables with a prompt and no value for the operator to answer', () => {
    const resolved = resolveVars(runbook, { cli: {}, env: {} });
    expect(resolved.missing).toEqual([
      { name: 'ticket', prompt: 'Change ticket id', secret: false },
      { name: 'api_token', prompt: 'API token', secret: true },
    ]);
  });

  it('names --var for a variable that has no value and nobody to ask', () => {
    const strict = runbookWithVars({ ticket: {}, region: { env: 'RV_REGION' } });
    expect(() => resolveVars(strict, { cli: {}, env: {} })).toThrow(
      'missing variable value: give --var ticket=…, --var region=… (or set RV_REGION)',
    );
    try {
      resolveVars(strict, { cli: {}, env: {} });
    } catch (error) {
      expect((error as StepwiseError).kind).toBe('usage');
    }
  });

  it('refuses an undeclared --var and a value of the wrong type', () => {
    expect(() => resolveVars(runbook, { cli: { tiket: 'x' }, env: {} })).toThrow(/--var tiket: not declared/);
    expect(() => resolveVars(runbook, { cli: { batch_size: 'lots' }, env: {} })).toThrow(/must be a number/);
  });
});
