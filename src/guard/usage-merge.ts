import type { UsageRecord } from '../domain/session.js';

/** Two reports of one call carry the same message timestamp; this much apart still counts as the same call. */
const TOLERANCE_MS = 120_000;
/** How long a counted call is remembered for matching its other copy. */
const KEEP_MS = 10 * 60_000;

type Side = 'guard' | 'stream';

/**
 * Counts each model call once although it can reach the daemon twice: from the gateway's `session.message` events
 * (what clawwarden always read) and from the in-gateway guard (which also sees runs no client sees). Whichever copy
 * arrives first is counted; the other is dropped. Copies match on (source, key, generation, token counts) with
 * message timestamps within TOLERANCE_MS; counted calls are forgotten after KEEP_MS.
 */
export class UsageMerge {
  readonly #counted = new Map<string, { side: Side; at: number }[]>();
  #inserts = 0;
  #newest = 0;

  /** A call reported by the guard: true when it should be counted (its stream copy was not). */
  fromGuard(record: UsageRecord): boolean {
    return this.#admit(record, 'guard');
  }

  /** A call from the gateway's event stream: true when it should be counted (the guard's copy was not). */
  fromStream(record: UsageRecord): boolean {
    return this.#admit(record, 'stream');
  }

  /** Calls remembered (for tests and status). */
  get size(): number {
    let n = 0;
    for (const list of this.#counted.values()) n += list.length;
    return n;
  }

  #admit(record: UsageRecord, side: Side): boolean {
    const fp = `${record.source}\u0000${record.key}\u0000${record.generation}\u0000${record.input}\u0000${record.output}\u0000${record.cacheRead}\u0000${record.cacheWrite}`;
    const list = this.#counted.get(fp);
    if (list) {
      const i = list.findIndex((c) => c.side !== side && Math.abs(c.at - record.at) <= TOLERANCE_MS);
      if (i >= 0) {
        // The other copy of this very call was counted already.
        list.splice(i, 1);
        if (list.length === 0) this.#counted.delete(fp);
        return false;
      }
    }
    if (list) list.push({ side, at: record.at });
    else this.#counted.set(fp, [{ side, at: record.at }]);
    this.#newest = Math.max(this.#newest, record.at);
    if (++this.#inserts % 256 === 0) this.#prune();
    return true;
  }

  #prune(): void {
    const cutoff = this.#newest - KEEP_MS;
    for (const [fp, list] of this.#counted) {
      const kept = list.filter((c) => c.at >= cutoff);
      if (kept.length === 0) this.#counted.delete(fp);
      else if (kept.length !== list.length) this.#counted.set(fp, kept);
    }
  }
}
