// How often the TUI draws at most (Ink's maxFps). A remote engine's updates are given to the
// TUI's store at the same pace: one render per frame, however many events came meanwhile.
export const framesPerSecond = 15;
export const frameMs = Math.ceil(1000 / framesPerSecond);
