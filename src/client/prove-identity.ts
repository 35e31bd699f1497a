import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proofFileName } from '../protocol/handshake.js';

// Writes the proof of who this process is (see the engine's verify-identity.ts): a new file named
// after the engine's nonce in the run's clients directory. `wx`: never through an existing file.
export function writeProof(dir: string, nonce: string): void {
  writeFileSync(join(dir, proofFileName(nonce)), '', { flag: 'wx', mode: 0o600 });
}
