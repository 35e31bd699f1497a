import { createRequire } from 'node:module';

// package.json is the version's one home: two folders up from this file in src/ and in dist/.
export const stepwiseVersion = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;
