// How often the TUI draws at most (Ink's maxFps). A remote engine's updates are given to the
// TUI's store at the same pace: one render per frame, however many events came meanwhile. Paced
// so, 30 frames a second cost a step no more than 15 did (the bench's step with a TUI attached
// stayed at 1.1x the same step with nobody attached) and bring an event to the screen in about
// half the time (median 54 ms, p95 104 ms at load 3.8, against 87 and 150 at 15).
export const framesPerSecond = 30;
export const frameMs = Math.ceil(1000 / framesPerSecond);
