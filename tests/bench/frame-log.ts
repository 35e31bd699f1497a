import { existsSync, readFileSync } from 'node:fs';

export interface Frame {
  // The last journal event the frame shows.
  seq: number;
  at: number;
}

// The frames a TUI drew with STEPWISE_FRAME_LOG set (see src/tui/frame-log.ts).
export function readFrames(path: string): Frame[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [seq, at] = line.split(' ').map(Number);
      return { seq, at };
    });
}

// For every event appended after the TUI's first frame: from its journal time to the first frame
// that shows it. Events no frame showed (the TUI was gone) are left out.
export function screenLatencies(events: { seq: number; ts?: unknown }[], framesPath: string): number[] {
  const frames = readFrames(framesPath);
  if (frames.length === 0) return [];
  const latencies: number[] = [];
  let f = 0;
  for (const e of events) {
    if (e.seq <= frames[0].seq) continue;
    while (f < frames.length && frames[f].seq < e.seq) f++;
    if (f === frames.length) break;
    latencies.push(frames[f].at - Date.parse(String(e.ts)));
  }
  return latencies;
}
