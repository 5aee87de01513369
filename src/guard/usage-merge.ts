import type { UsageRecord } from '../domain/session.js';
import type { WireUsage, WireUsageRecord } from './protocol.js';

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

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** A guard's usage record as the ledger takes it; undefined when malformed. */
export function recordFromGuard(source: string, received: unknown): UsageRecord | undefined {
  // Sent by a guard over the network: nothing in it is taken before it is checked.
  const raw = received as { [K in keyof WireUsageRecord]?: unknown } | null;
  if (raw === null || typeof raw !== 'object' || typeof raw.key !== 'string' || typeof raw.generation !== 'string' || typeof raw.id !== 'string' || raw.usage === null || typeof raw.usage !== 'object')
    return undefined;
  const usage = raw.usage as { [K in keyof WireUsage]?: unknown };
  const at = count(raw.at);
  const input = count(usage.input);
  const output = count(usage.output);
  if (at === undefined || input === undefined || output === undefined) return undefined;
  return {
    source,
    key: raw.key,
    generation: raw.generation,
    agent: typeof raw.agent === 'string' && raw.agent !== '' ? raw.agent : (/^agent:([^:]+):/.exec(raw.key)?.[1] ?? 'unknown'),
    id: raw.id,
    at,
    input,
    output,
    cacheRead: count(usage.cacheRead) ?? 0,
    cacheWrite: count(usage.cacheWrite) ?? 0,
    cost: count(usage.cost) ?? 0,
  };
}
