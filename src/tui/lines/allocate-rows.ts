export interface RowDemand {
  want: number;
  min: number;
}

// Shares `room` lines between sections: first each section's minimum, then the rest, both in
// the order given (most important first). Returns the lines each section gets.
export function allocateRows(room: number, demands: RowDemand[]): number[] {
  const given = demands.map(() => 0);
  let left = Math.max(0, room);
  for (const [i, d] of demands.entries()) {
    const take = Math.min(left, d.min, d.want);
    given[i] = take;
    left -= take;
  }
  for (const [i, d] of demands.entries()) {
    const take = Math.min(left, d.want - given[i]);
    given[i] += take;
    left -= take;
  }
  return given;
}
