import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepwiseError } from '../../src/errors/stepwise-error.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import { parseDuration } from '../../src/runbook/parse-duration.js';

// Whatever a person (or a mangled file) gives stepwise, it answers with its own error: a message
// and an exit code, never a crash. fast-check shrinks a failing input to the smallest one.

const dir = mkdtempSync(join(tmpdir(), 'stepwise-fuzz-'));
const valid = readFileSync('tests/fixtures/fuzz-seed.yaml', 'utf8');

async function loadsOrRefuses(text: string): Promise<void> {
  const path = join(dir, 'runbook.yaml');
  writeFileSync(path, text);
  try {
    await loadRunbook(path);
  } catch (error) {
    if (!(error instanceof StepwiseError)) throw error;
    expect(error.message).toMatch(/:\d+:\d+: /);
  }
}

// A valid runbook with a few characters inserted, deleted or replaced, and runbook-ish tokens
// (anchors, aliases, prototype names, long ids, huge durations) dropped in.
const tokens = ['*a', '&a ', '<<: *a', 'constructor', '__proto__', 'toString', '600h', '999999999d', 'x'.repeat(300), '{{ vars.constructor }}', ':', '- ', '\t', '"', "'", '{', '[', '\n  '];
const edit = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 8 }),
  put: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...tokens)),
});

describe('runbook input never crashes stepwise', () => {
  it('a mangled runbook loads or is refused with file:line:col, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let text = valid;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.put + text.slice(at + e.cut);
        }
        await loadsOrRefuses(text);
      }),
      { numRuns: 300 },
    );
  });

  it('any text as a runbook loads or is refused the same way', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), loadsOrRefuses), { numRuns: 200 });
  });

  it('any text as a duration is a number of milliseconds Node can wait, or a StepwiseError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{1,15}(\.\d{1,3})?\s?(ms|s|m|h|d)$/)), (text) => {
        try {
          const ms = parseDuration(text);
          expect(Number.isFinite(ms) && ms >= 0 && ms <= 365 * 86_400_000).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(StepwiseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
