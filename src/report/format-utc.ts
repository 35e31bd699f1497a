// Report times are UTC with the zone spelled out, so a sheet reads the same in any ticket.

export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}Z`;
}

// The time of day alone when the date is the run's start date; the full date otherwise.
export function formatUtcSince(iso: string, runStart: string): string {
  const full = formatUtc(iso);
  return full.slice(0, 10) === formatUtc(runStart).slice(0, 10) ? full.slice(11) : full;
}
