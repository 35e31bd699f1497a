// How the TUI ended: the run finished (done), was paused and journaled as such (paused), the
// operator left it going on in its engine (detached), or left without a pause being journaled
// (quit).
export interface TuiResult {
  exit: 'quit' | 'done' | 'paused' | 'detached';
}
