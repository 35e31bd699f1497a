// How the TUI ended: the run finished (done), was paused and journaled as such (paused), or
// the operator left without a pause being journaled (quit).
export interface TuiResult {
  exit: 'quit' | 'done' | 'paused';
}
