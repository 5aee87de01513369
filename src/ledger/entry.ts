import type { Usage } from '../domain/session.js';
import type { SessionUsageView } from './types.js';

/** Calls kept per session generation for exact burn rates and replay detection. */
export const RECENT_CALLS = 32;
const MINUTE = 60_000;
/** Fields per usage tuple in the flat arrays: input, output, cacheRead, cacheWrite, cost. */
export const WIDTH = 5;

/** A zero usage. */
export function emptyUsage(): Usage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
}

/**
 * One session generation's usage. Buckets and recent calls are flat number arrays (one tuple of WIDTH per
 * minute or call) so 100k tracked sessions stay small.
 */
export class LedgerEntry implements SessionUsageView {
  /** Creation order within the ledger (set by the ledger). */
  seq = 0;
  totals: Usage = emptyUsage();
  calls = 0;
  lastCallAt: number | undefined = undefined;
  known: boolean;
  /** Earliest usage time; -Infinity once usage without a time was added. */
  firstUsageAt: number | undefined = undefined;
  /** Latest usage time. */
  lastUsageAt: number | undefined = undefined;
  /** Latest activity time seen from events or baselines, for pruning. */
  seenAt: number | undefined = undefined;
  /** Epoch minutes with usage, ascending; amounts in `bucketUse` (WIDTH each). */
  minutes: number[] = [];
  bucketUse: number[] = [];
  recentAt: number[] = [];
  recentIds: string[] = [];
  recentUse: number[] = [];
  /** Highest numeric id evicted from the recent list: anything at or below it is a replay. */
  floorSeq = -1;
  /** Time of the newest call evicted from the recent list: exact sums only from after it. */
  evictedAt = -Infinity;
  /** The ledger's version at this entry's last change (set by the ledger, for readers that cache sums). */
  version = 0;
  /** The previous generation of the same key, newest first. */
  older: LedgerEntry | undefined = undefined;

  constructor(
    readonly source: string,
    readonly key: string,
    readonly generation: string,
    public agent: string,
    known: boolean,
  ) {
    this.known = known;
  }

  /** True when `id` was already counted (in the recent list, or older than anything kept). */
  seen(id: string): boolean {
    if (this.recentIds.includes(id)) return true;
    const seq = Number(id);
    return Number.isInteger(seq) && seq <= this.floorSeq;
  }

  /** Adds usage at `at` to totals and its minute bucket; `call` ones also enter the recent list. */
  add(u: Usage, at: number | undefined, id?: string): void {
    const t = this.totals;
    t.input += u.input;
    t.output += u.output;
    t.cacheRead += u.cacheRead;
    t.cacheWrite += u.cacheWrite;
    t.cost += u.cost;
    if (at === undefined) {
      this.firstUsageAt = -Infinity;
      return;
    }
    if (this.firstUsageAt === undefined || at < this.firstUsageAt) this.firstUsageAt = at;
    if (this.lastUsageAt === undefined || at > this.lastUsageAt) this.lastUsageAt = at;
    if (this.seenAt === undefined || at > this.seenAt) this.seenAt = at;
    this.addBucket(Math.floor(at / MINUTE), u);
    if (id === undefined) return;
    this.calls++;
    if (this.lastCallAt === undefined || at > this.lastCallAt) this.lastCallAt = at;
    this.recentAt = append(this.recentAt, [at]);
    this.recentIds = append(this.recentIds, [id]);
    this.recentUse = append(this.recentUse, [u.input, u.output, u.cacheRead, u.cacheWrite, u.cost]);
    if (this.recentAt.length > RECENT_CALLS) this.evict();
  }

  private addBucket(minute: number, u: Usage): void {
    const minutes = this.minutes;
    let i = minutes.length;
    // Calls arrive in time order almost always: check the tail before searching.
    if (i > 0 && minutes[i - 1]! >= minute) {
      i = lowerBound(minutes, minute);
      if (minutes[i] !== minute) {
        minutes.splice(i, 0, minute);
        this.bucketUse.splice(i * WIDTH, 0, 0, 0, 0, 0, 0);
      }
    } else {
      this.minutes = append(minutes, [minute]);
      this.bucketUse = append(this.bucketUse, [0, 0, 0, 0, 0]);
    }
    const b = i * WIDTH;
    const use = this.bucketUse;
    use[b] = use[b]! + u.input;
    use[b + 1] = use[b + 1]! + u.output;
    use[b + 2] = use[b + 2]! + u.cacheRead;
    use[b + 3] = use[b + 3]! + u.cacheWrite;
    use[b + 4] = use[b + 4]! + u.cost;
  }

  /** Last activity covered by an applied baseline: calls up to then are already in the totals. */
  coveredUntil = -Infinity;
  /** Latest time a baseline top-up (usage no recorded call carries) was placed at. */
  baselineAt = -Infinity;

  /** Usage in [from, to): exact from the recent calls when they cover the range, else by minute buckets. */
  between(from: number, to: number): Usage {
    const sum = emptyUsage();
    if (from > this.evictedAt && from > this.baselineAt) {
      const at = this.recentAt;
      for (let i = 0; i < at.length; i++) {
        if (at[i]! >= from && at[i]! < to) addAt(sum, this.recentUse, i);
      }
      return sum;
    }
    const first = Math.floor(from / MINUTE);
    const last = Math.ceil(to / MINUTE);
    for (let i = lowerBound(this.minutes, first); i < this.minutes.length && this.minutes[i]! < last; i++) addAt(sum, this.bucketUse, i);
    return sum;
  }

  /** Drops buckets and recent calls before `cutoff` (totals stay); true when anything was dropped. */
  pruneBefore(cutoff: number): boolean {
    const n = lowerBound(this.minutes, Math.floor(cutoff / MINUTE));
    if (n > 0) {
      this.minutes.splice(0, n);
      this.bucketUse.splice(0, n * WIDTH);
    }
    const calls = this.recentAt.length;
    while (this.recentAt.length > 0 && this.recentAt[0]! < cutoff) this.evict();
    return n > 0 || this.recentAt.length < calls;
  }

  private evict(): void {
    const evictedAt = this.recentAt.shift()!;
    const evictedId = this.recentIds.shift()!;
    this.recentUse.splice(0, WIDTH);
    this.evictedAt = Math.max(this.evictedAt, evictedAt);
    const seq = Number(evictedId);
    if (Number.isInteger(seq)) this.floorSeq = Math.max(this.floorSeq, seq);
  }
}

/**
 * Appends; small arrays are rebuilt at their exact size because V8 grows a pushed array to 17+ slots, and
 * most of 100k tracked sessions hold only a few calls.
 */
function append<T>(list: T[], values: T[]): T[] {
  if (list.length + values.length <= 40) return list.concat(values);
  for (const v of values) list.push(v);
  return list;
}

function addAt(sum: Usage, flat: readonly number[], i: number): void {
  const b = i * WIDTH;
  sum.input += flat[b]!;
  sum.output += flat[b + 1]!;
  sum.cacheRead += flat[b + 2]!;
  sum.cacheWrite += flat[b + 3]!;
  sum.cost += flat[b + 4]!;
}

/** First index with list[i] >= value. */
export function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
