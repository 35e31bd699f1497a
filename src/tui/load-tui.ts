import { applyNoColor } from '../format/terminal-caps.js';

// Ink, chalk and React read the environment once, when they are first loaded: NO_COLOR becomes
// FORCE_COLOR=0 (chalk ignores NO_COLOR), and React, its reconciler and scheduler load their
// production builds (the development ones cost more than the rest of a frame). NODE_ENV is put
// back as soon as they are loaded, so the steps' commands never see it.
export async function loadTui(): Promise<typeof import('./run-tui.js')> {
  applyNoColor(process.env);
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await import('./run-tui.js');
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
