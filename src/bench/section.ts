/** One line of the bench table. */
export interface BenchRow {
  readonly section: string;
  readonly case: string;
  readonly measured: string;
  readonly target: string;
}

/** A bench section: a named module that measures something and returns its rows. */
export interface BenchSection {
  readonly name: string;
  run(): Promise<BenchRow[]>;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
