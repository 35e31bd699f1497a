import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { maskedOutput } from '../../src/engine/process/masked-output.js';

function collect(secrets: string[]) {
  const out: Buffer[] = [];
  const masked = maskedOutput(secrets, (bytes) => out.push(bytes));
  return { masked, text: () => Buffer.concat(out).toString('utf8'), chunks: out };
}

describe('step output masked as it streams', () => {
  it('passes bytes through untouched when there is no secret', () => {
    const { masked, chunks } = collect([]);
    const chunk = Buffer.from('no secrets here, no newline');
    masked.write(chunk);
    expect(chunks[0]).toBe(chunk);
  });

  it('masks a secret cut between two chunks, and one cut inside a multibyte character', () => {
    const { masked, text } = collect(['pässwörd-42']);
    const bytes = Buffer.from('login pässwörd-42 ok\nagain pässwörd-42\n');
    // Cut in the middle of the first ä, and between the halves of the second secret.
    masked.write(bytes.subarray(0, 8));
    masked.write(bytes.subarray(8, 30));
    masked.write(bytes.subarray(30));
    masked.end();
    expect(text()).toBe('login *** ok\nagain ***\n');
  });

  it('lets a held line out after a quiet spell, masked', async () => {
    const { masked, text } = collect(['s3cret']);
    masked.write(Buffer.from('token s3cret, waiting'));
    expect(text()).toBe('');
    await sleep(400);
    expect(text()).toBe('token ***, waiting');
    masked.end();
  });

  it('holds no more than 64 KB of a line without a break', () => {
    const { masked, text } = collect(['s3cret']);
    masked.write(Buffer.from('x'.repeat(70 * 1024)));
    expect(text().length).toBe(70 * 1024);
    masked.end();
  });
});
