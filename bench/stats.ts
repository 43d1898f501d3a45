import { readFileSync } from 'node:fs';

/** Nearest-rank quantile of an ascending list. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summary(label: string, samplesMs: readonly number[]): string {
  const s = [...samplesMs].sort((a, b) => a - b);
  return `${label.padEnd(34)} median ${quantile(s, 0.5).toFixed(1).padStart(7)} ms  p95 ${quantile(s, 0.95).toFixed(1).padStart(7)} ms  (n=${s.length})`;
}

/**
 * CPU time (user + system, all threads) a process has used so far, from /proc (Linux; USER_HZ
 * is 100 there). CPU per render does not move when a neighbour on a shared host steals cycles,
 * where renders/s does, so it is the figure to compare between two builds.
 */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing paren are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}
