/**
 * Aligned text columns for the list commands: readable in a terminal and still easy to cut with
 * awk, because cells are separated by at least two spaces and never contain a line break.
 */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const clean = (s: string) => s.replace(/\s+/g, ' ');
  const all = [headers, ...rows].map((r) => r.map(clean));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** Epoch milliseconds as a UTC timestamp to the second, or `-` for never. */
export function formatTime(ms: number | null): string {
  return ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function yesNo(b: boolean | number): string {
  return b ? 'yes' : 'no';
}
