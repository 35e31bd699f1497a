import { useBaselineWasm } from './use-baseline-wasm.js';

// PostgreSQL's parser is WebAssembly: loaded once, by the first module that parses SQL, so each
// can use its synchronous API. Its functions are taken from here, never from libpg-query itself:
// the package starts compiling its WebAssembly when it is imported, which must come after the V8
// flags. Commands that only read runbooks skip it.
useBaselineWasm();
const parser = await import('libpg-query');
await parser.loadModule();
export const { hasSqlDetails, parseSync } = parser;
