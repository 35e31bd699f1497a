import { useEffect, useState } from 'react';

// A spinner frame that advances only while something runs: an idle screen renders nothing.
export function useSpinnerFrame(frames: string[], active: boolean, everyMs = 120): string {
  const [index, setIndex] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setIndex((i) => (i + 1) % frames.length), everyMs);
    return () => clearInterval(timer);
  }, [active, frames.length, everyMs]);
  return frames[index % frames.length];
}
