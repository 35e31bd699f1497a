import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { stepwiseVersion } from '../format/stepwise-version.js';
import type { Runbook } from './schema.js';

const format = 1;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// What decides whether a runbook is valid and what it reads as: this stepwise's loader (the
// files of runbook/ and of the layers it imports, errors/ and format/, as built or checked out)
// and the packages that read it. A change to any of them makes another validator.
let fingerprint: string | undefined;
function validatorFingerprint(): string {
  if (fingerprint) return fingerprint;
  const require = createRequire(import.meta.url);
  const packages = ['js-yaml', 'zod', 'libpg-query'].map(
    (name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`,
  );
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const files = ['errors', 'format', 'runbook'].flatMap((layer) =>
    readdirSync(join(root, layer))
      .sort()
      .map((name) => {
        const stat = statSync(join(root, layer, name));
        return `${layer}/${name} ${stat.size} ${stat.mtimeMs}`;
      }),
  );
  fingerprint = sha256([`stepwise@${stepwiseVersion}`, ...packages, ...files].join('\n'));
  return fingerprint;
}

interface Entry {
  format: number;
  validator: string;
  path: string;
  sha256: string;
  // sha256 of each sql file read, by its path as written.
  files: Record<string, string>;
  runbook: Runbook;
}

// Runbooks that passed every check of the loader, one file per runbook path, so a command that
// only reads a runbook (`plan`) skips reading its YAML and validating it (js-yaml, zod and the
// checks: most of such a command's time) when nothing changed since. A hit needs the same
// runbook source, the same content of every sql file it reads and the same validator; anything
// else (a changed file, another stepwise build, a damaged or missing entry) is a miss, and the
// runbook is validated again. Only valid runbooks are kept: an invalid one is refused every time.
export class ValidatedRunbookCache {
  constructor(private readonly dir: string) {}

  private entryPath(absolute: string): string {
    return join(this.dir, `${sha256(absolute).slice(0, 32)}.json`);
  }

  // The runbook at `absolute` as validated before, with its sql files read now, when its source
  // (its sha256) and those files are what they were then.
  find(absolute: string, sourceSha256: string): { runbook: Runbook; files: Record<string, string> } | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.entryPath(absolute), 'utf8')) as Entry;
      if (entry.format !== format || entry.path !== absolute || entry.sha256 !== sourceSha256) return undefined;
      if (entry.validator !== validatorFingerprint()) return undefined;
      const files: Record<string, string> = {};
      for (const [name, hash] of Object.entries(entry.files)) {
        files[name] = readFileSync(resolve(dirname(absolute), name), 'utf8');
        if (sha256(files[name]) !== hash) return undefined;
      }
      return { runbook: entry.runbook, files };
    } catch {
      // Missing, damaged, or a sql file that cannot be read now: validate again.
      return undefined;
    }
  }

  // Written whole to a temporary file and renamed over the old one, so readers never see half.
  // A runbook that JSON would not give back exactly as it is is not kept.
  async save(absolute: string, sourceSha256: string, runbook: Runbook, files: Record<string, string>): Promise<void> {
    const hashes = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)]));
    const entry: Entry = { format, validator: validatorFingerprint(), path: absolute, sha256: sourceSha256, files: hashes, runbook };
    const text = `${JSON.stringify(entry)}\n`;
    if (!isDeepStrictEqual((JSON.parse(text) as Entry).runbook, runbook)) return;
    await mkdir(this.dir, { recursive: true });
    const file = this.entryPath(absolute);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, file);
  }
}
