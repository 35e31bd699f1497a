import { defineConfig } from 'vitest/config';
import { baselineWasmFlags } from './src/runbook/use-baseline-wasm.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Files of one worker share its module cache: each file importing the engine, Ink and the
    // drivers again cost a third of a minute of the suite. A test that changes module state
    // (chalk's colour level, an env var read at import) restores it.
    isolate: false,
    // Test files open PGlite in their own process too: as the CLI does, without the optimizing tier.
    execArgv: [...baselineWasmFlags],
  },
});
