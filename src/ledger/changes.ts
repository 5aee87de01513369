import type { SessionUsageView } from './types.js';

/** Changes remembered; past this the log starts over and older questions get "unknown". */
const CAPACITY = 4096;

/** A bounded log of which entries changed at which ledger version, so a reader can catch up without a full scan. */
export class ChangeLog<E extends SessionUsageView> {
  private readonly entries: E[] = [];
  private readonly versions: number[] = [];
  /** Changes up to this version are no longer in the log. */
  private forgotten = 0;

  /** Notes that `entry` changed at `version` (versions must rise). */
  record(entry: E, version: number): void {
    if (this.entries.length >= CAPACITY) {
      this.entries.length = 0;
      this.versions.length = 0;
      this.forgotten = version - 1;
    }
    this.entries.push(entry);
    this.versions.push(version);
  }

  /** The entries changed after `version` (possibly repeated), or undefined when the log no longer reaches back that far. */
  since(version: number): readonly E[] | undefined {
    if (version < this.forgotten) return undefined;
    let lo = 0;
    let hi = this.versions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.versions[mid]! <= version) lo = mid + 1;
      else hi = mid;
    }
    return this.entries.slice(lo);
  }
}
