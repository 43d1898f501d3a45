/** Nearest-rank quantile of an ascending list. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summary(label: string, samplesMs: readonly number[]): string {
  const s = [...samplesMs].sort((a, b) => a - b);
  return `${label.padEnd(34)} median ${quantile(s, 0.5).toFixed(1).padStart(7)} ms  p95 ${quantile(s, 0.95).toFixed(1).padStart(7)} ms  (n=${s.length})`;
}
