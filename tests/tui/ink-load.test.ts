import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tempStateDir } from '../helpers/run-cli.js';

const hook = resolve(import.meta.dirname, '..', 'helpers', 'module-log-hook.mjs');

// Ink 6 imports one function from es-toolkit's compat index, which loads all 400 of its modules:
// a third of the time a screen takes to open. patches/ink+6.8.0.patch (applied by patch-package
// on install) imports that function alone.
describe('opening a screen', () => {
  it('loads Ink without the whole of es-toolkit', async () => {
    const log = join(tempStateDir('stepwise-ink-load-'), 'modules.log');
    writeFileSync(log, '');
    const child = await execa('node', ['--import', hook, '--input-type=module', '-e', "await import('ink')"], {
      env: { STEPWISE_MODULE_LOG: log },
      reject: false,
    });
    expect(child.exitCode, child.stderr).toBe(0);
    const toolkit = readFileSync(log, 'utf8')
      .split('\n')
      .filter((url) => url.includes('/node_modules/es-toolkit/'));
    expect(toolkit.length).toBeGreaterThan(0);
    expect(toolkit.length).toBeLessThan(20);
  });
});
