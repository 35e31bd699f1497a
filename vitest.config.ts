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
    // Test files open PGlite in their own process too: as the CLI does, without the optimizing tier.
    execArgv: [...baselineWasmFlags],
  },
});
