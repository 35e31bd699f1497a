import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

// Starts a worker thread on a module of this folder, from the same build as this module:
// compiled JavaScript, or TypeScript sources under vitest and tsx, loaded through tsx's loader.
export function startWorker(module: string, options: WorkerOptions): Worker {
  const here = import.meta.url;
  const entry = new URL(`./${module}${extname(fileURLToPath(here))}`, here);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)})
    .then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
