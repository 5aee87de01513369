/** Hook handler durations over the most recent calls, for the guard's status (how much it costs per tool call). */
export class HookTiming {
  readonly #samples = new Float64Array(1024);
  #count = 0;

  /** Records one handler run of `ms` milliseconds. */
  add(ms: number): void {
    this.#samples[this.#count % this.#samples.length] = ms * 1000;
    this.#count++;
  }

  /** Calls so far and p50 / p99 / max in microseconds over the recent ones. */
  stats(): { calls: number; p50us: number; p99us: number; maxUs: number } {
    const n = Math.min(this.#count, this.#samples.length);
    if (n === 0) return { calls: 0, p50us: 0, p99us: 0, maxUs: 0 };
    const sorted = Array.from(this.#samples.subarray(0, n)).sort((a, b) => a - b);
    const at = (p: number): number => Math.round(sorted[Math.min(n - 1, Math.ceil(p * n) - 1)]! * 10) / 10;
    return { calls: this.#count, p50us: at(0.5), p99us: at(0.99), maxUs: Math.round(sorted[n - 1]! * 10) / 10 };
  }
}
