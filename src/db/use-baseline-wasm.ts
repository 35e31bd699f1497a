import { setFlagsFromString } from 'node:v8';

// V8 flags that keep WebAssembly on its baseline compiler (Liftoff). stepwise runs two large
// WebAssembly modules, PGlite and PostgreSQL's parser. By default V8 also recompiles their hot
// functions with its optimizing compiler on background threads, and a short command waits for
// those compiles before it exits. Measured on this project's 2-core machine: opening PGlite took
// 1.4 s of CPU and 340 MB with the optimizing tier, 0.9 s and 255 MB without; a million rows
// inserted and compared in PGlite cost the same CPU either way.
export const baselineWasmFlags = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

// Must run before the first WebAssembly module is compiled.
export function useBaselineWasm(): void {
  setFlagsFromString(baselineWasmFlags.join(' '));
}
