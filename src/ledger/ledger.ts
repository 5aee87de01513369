import type { Usage, UsageBaseline, UsageRecord } from '../domain/session.js';
import type { LedgerView, SessionUsageView } from './types.js';
import { ChangeLog } from './changes.js';
import { emptyUsage, LedgerEntry, WIDTH } from './entry.js';

/** A ledger document that is not ours, of an unknown version, or damaged. */
export class LedgerFormatError extends Error {
  override readonly name = 'LedgerFormatError';
  readonly code = 'E_LEDGER_FORMAT';
}

const FORMAT = 'clawwarden-ledger';
const VERSION = 1;
const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cost'] as const;

/** The persisted form of one entry (flat arrays, WIDTH numbers per bucket or call). */
interface EntryJSON {
  source: string;
  key: string;
  generation: string;
  agent: string;
  known: boolean;
  totals: number[];
  calls: number;
  lastCallAt?: number;
  seenAt?: number;
  floorSeq: number;
  evictedAt?: number;
  baselineAt?: number;
  coveredUntil?: number;
  firstUsageAt?: number | null;
  lastUsageAt?: number;
  minutes: number[];
  bucketUse: number[];
  recentAt: number[];
  recentIds: string[];
  recentUse: number[];
}

/** Creations remembered for `addedSince`. */
const ADDITIONS_KEPT = 4096;

/** The persisted ledger. */
export interface LedgerJSON {
  format: typeof FORMAT;
  version: typeof VERSION;
  unknownSources: string[];
  entries: EntryJSON[];
}

/**
 * Authoritative cumulative usage per (source, key, generation), with sparse minute buckets for budget
 * windows and a short list of recent calls for burn rates and de-duplication.
 */
export class Ledger implements LedgerView {
  private readonly bySource = new Map<string, Map<string, LedgerEntry>>();
  private readonly unknownSources = new Set<string>();
  private changes = 0;
  private shapes = 0;
  private readonly log = new ChangeLog<LedgerEntry>();
  private created = 0;
  /** Entries created at each layout since `reshapedAt` (the last layout change that was not a creation). */
  private additions: { readonly layout: number; readonly entry: LedgerEntry }[] = [];
  private reshapedAt = 0;

  /** Increases on every change; an entry's `version` is this value at its last change (lets the engine keep sums). */
  get version(): number {
    return this.changes;
  }

  /** Increases when an entry is created or removed or changes agent (lets the engine keep lookups and groupings). */
  get layout(): number {
    return this.shapes;
  }

  /** The entry for that generation, if tracked. */
  session(source: string, key: string, generation: string): SessionUsageView | undefined {
    return this.find(source, key, generation);
  }

  /** Every tracked generation of every session. */
  *entries(): Iterable<SessionUsageView> {
    yield* this.allEntries();
  }

  private *allEntries(): Iterable<LedgerEntry> {
    for (const keys of this.bySource.values()) {
      for (const head of keys.values()) for (let e: LedgerEntry | undefined = head; e; e = e.older) yield e;
    }
  }

  /** Number of tracked generations. */
  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  /** Counts one model call; false when it was already counted (a replay after reconnect). */
  ingest(record: UsageRecord): boolean {
    const entry = this.entryFor(record.source, record.key, record.generation, record.agent);
    if (entry.seen(record.id)) return false;
    // A baseline already counted everything up to its last activity (a replay of a call missed while down).
    if (record.at <= entry.coveredUntil) return false;
    entry.add(record, record.at, record.id);
    this.touch(entry);
    return true;
  }

  /**
   * Reconciles with the platform's own cumulative numbers: where it reports more than we counted, the
   * difference is added (on its `daily` dates where given, else at `lastActivityAt`); never subtracts.
   * Marks the entry known.
   */
  applyBaseline(b: UsageBaseline): void {
    const entry = this.entryFor(b.source, b.key, b.generation, b.agent);
    for (const day of b.daily ?? []) {
      const start = Date.parse(`${day.date}T00:00:00Z`);
      if (Number.isNaN(start)) continue;
      const have = entry.between(start, start + 86_400_000);
      const missing = positiveDiff(day, have);
      if (missing) {
        const lastDay = b.lastActivityAt !== undefined && b.lastActivityAt >= start && b.lastActivityAt < start + 86_400_000;
        // Somewhere inside that UTC day: its last activity when known, else noon.
        this.topUp(entry, missing, lastDay ? b.lastActivityAt : start + 43_200_000);
      }
    }
    const missing = positiveDiff(b, entry.totals);
    if (missing) this.topUp(entry, missing, b.lastActivityAt);
    if (b.lastActivityAt !== undefined) {
      if (entry.seenAt === undefined || b.lastActivityAt > entry.seenAt) entry.seenAt = b.lastActivityAt;
      entry.coveredUntil = Math.max(entry.coveredUntil, b.lastActivityAt);
    }
    entry.known = true;
    this.touch(entry);
  }

  /**
   * The entries changed after `version` (possibly repeated), or undefined when the log no longer reaches back that
   * far (then a reader must look at every entry's `version`). Valid only while `layout` stays the same.
   */
  changedSince(version: number): readonly SessionUsageView[] | undefined {
    return this.log.since(version);
  }

  addedSince(layout: number): readonly SessionUsageView[] | undefined {
    if (layout < this.reshapedAt || layout > this.shapes) return undefined;
    const out: LedgerEntry[] = [];
    for (let i = this.additions.length - 1; i >= 0 && this.additions[i]!.layout > layout; i--) out.push(this.additions[i]!.entry);
    return out.reverse();
  }

  /** A layout change other than a creation: readers must regroup. */
  private reshaped(): void {
    this.shapes++;
    this.reshapedAt = this.shapes;
    this.additions = [];
  }

  private touch(entry: LedgerEntry): void {
    entry.version = ++this.changes;
    this.log.record(entry, entry.version);
  }

  private topUp(entry: LedgerEntry, u: Usage, at: number | undefined): void {
    entry.add(u, at);
    if (at !== undefined) entry.baselineAt = Math.max(entry.baselineAt, at);
  }

  /** After a disconnect: usage of that source is unknown (nothing fires on it) until re-synced. */
  markUnknown(source: string): void {
    this.unknownSources.add(source);
    this.changes++;
    for (const e of this.entriesOf(source)) {
      e.known = false;
      this.touch(e);
    }
  }

  /** Re-synced: that source's numbers are trusted again. */
  markKnown(source: string): void {
    this.unknownSources.delete(source);
    this.changes++;
    for (const e of this.entriesOf(source)) {
      e.known = true;
      this.touch(e);
    }
  }

  /** Forgets generations with no activity within `retentionMs` and buckets older than that. */
  prune(now: number, retentionMs: number): number {
    const cutoff = now - retentionMs;
    let removed = 0;
    for (const [source, keys] of this.bySource) {
      for (const [key, head] of keys) {
        let kept: LedgerEntry | undefined;
        let tail: LedgerEntry | undefined;
        for (let e: LedgerEntry | undefined = head; e; e = e.older) {
          if (e.seenAt !== undefined && e.seenAt < cutoff) {
            removed++;
            continue;
          }
          if (e.pruneBefore(cutoff)) this.touch(e);
          if (tail) tail.older = e;
          else kept = e;
          tail = e;
        }
        if (tail) tail.older = undefined;
        if (kept) keys.set(key, kept);
        else keys.delete(key);
      }
      if (keys.size === 0) this.bySource.delete(source);
    }
    if (removed > 0) {
      this.reshaped();
      this.changes++;
    }
    return removed;
  }

  /** The versioned persisted form. */
  toJSON(): LedgerJSON {
    const entries: EntryJSON[] = [];
    for (const e of this.allEntries()) {
      entries.push({
        source: e.source,
        key: e.key,
        generation: e.generation,
        agent: e.agent,
        known: e.known,
        totals: FIELDS.map((f) => e.totals[f]),
        calls: e.calls,
        ...(e.lastCallAt !== undefined ? { lastCallAt: e.lastCallAt } : {}),
        ...(e.seenAt !== undefined ? { seenAt: e.seenAt } : {}),
        floorSeq: e.floorSeq,
        ...(Number.isFinite(e.evictedAt) ? { evictedAt: e.evictedAt } : {}),
        ...(Number.isFinite(e.baselineAt) ? { baselineAt: e.baselineAt } : {}),
        ...(Number.isFinite(e.coveredUntil) ? { coveredUntil: e.coveredUntil } : {}),
        // JSON has no -Infinity: null stands for "some usage has no time".
        ...(e.firstUsageAt !== undefined ? { firstUsageAt: Number.isFinite(e.firstUsageAt) ? e.firstUsageAt : null } : {}),
        ...(e.lastUsageAt !== undefined ? { lastUsageAt: e.lastUsageAt } : {}),
        minutes: e.minutes,
        bucketUse: e.bucketUse,
        recentAt: e.recentAt,
        recentIds: e.recentIds,
        recentUse: e.recentUse,
      });
    }
    return { format: FORMAT, version: VERSION, unknownSources: [...this.unknownSources], entries };
  }

  /** Restores a ledger; throws LedgerFormatError on a foreign, newer or damaged document. */
  static fromJSON(doc: unknown): Ledger {
    if (!isObject(doc) || doc.format !== FORMAT) throw new LedgerFormatError(`not a clawwarden ledger (expected format "${FORMAT}")`);
    if (doc.version !== VERSION) throw new LedgerFormatError(`unsupported ledger version ${JSON.stringify(doc.version)}; this clawwarden reads version ${VERSION}`);
    if (!Array.isArray(doc.entries) || !Array.isArray(doc.unknownSources)) throw new LedgerFormatError('damaged ledger: entries or unknownSources missing');
    const ledger = new Ledger();
    for (const s of doc.unknownSources) if (typeof s === 'string') ledger.unknownSources.add(s);
    doc.entries.forEach((raw: unknown, i: number) => {
      if (!isEntry(raw)) throw new LedgerFormatError(`damaged ledger: entries[${i}] is malformed`);
      const e = ledger.entryFor(raw.source, raw.key, raw.generation, raw.agent, true);
      e.known = raw.known;
      FIELDS.forEach((f, j) => (e.totals[f] = raw.totals[j]!));
      e.calls = raw.calls;
      e.lastCallAt = raw.lastCallAt;
      e.seenAt = raw.seenAt;
      e.floorSeq = raw.floorSeq;
      e.evictedAt = raw.evictedAt ?? -Infinity;
      e.baselineAt = raw.baselineAt ?? -Infinity;
      e.coveredUntil = raw.coveredUntil ?? -Infinity;
      e.firstUsageAt = raw.firstUsageAt === null ? -Infinity : raw.firstUsageAt;
      e.lastUsageAt = raw.lastUsageAt;
      e.minutes = raw.minutes;
      e.bucketUse = raw.bucketUse;
      e.recentAt = raw.recentAt;
      e.recentIds = raw.recentIds;
      e.recentUse = raw.recentUse;
    });
    return ledger;
  }

  private find(source: string, key: string, generation: string): LedgerEntry | undefined {
    for (let e = this.bySource.get(source)?.get(key); e; e = e.older) if (e.generation === generation) return e;
    return undefined;
  }

  private *entriesOf(source: string): Iterable<LedgerEntry> {
    for (const head of this.bySource.get(source)?.values() ?? []) for (let e: LedgerEntry | undefined = head; e; e = e.older) yield e;
  }

  private entryFor(source: string, key: string, generation: string, agent: string, append = false): LedgerEntry {
    let keys = this.bySource.get(source);
    if (!keys) this.bySource.set(source, (keys = new Map<string, LedgerEntry>()));
    const head = keys.get(key);
    for (let e = head; e; e = e.older) {
      if (e.generation === generation) {
        if (agent && e.agent !== agent) {
          e.agent = agent;
          this.reshaped();
          this.touch(e);
        }
        return e;
      }
    }
    const entry = new LedgerEntry(source, key, generation, agent, !this.unknownSources.has(source));
    entry.seq = ++this.created;
    this.shapes++;
    // Bounded: past this many creations readers behind regroup once.
    if (this.additions.length >= ADDITIONS_KEPT) {
      this.additions = [];
      this.reshapedAt = this.shapes - 1;
    }
    this.additions.push({ layout: this.shapes, entry });
    this.touch(entry);
    if (append && head) {
      // Restoring: entries come newest first per key, so later ones are older generations.
      let last = head;
      while (last.older) last = last.older;
      last.older = entry;
    } else {
      entry.older = head;
      keys.set(key, entry);
    }
    return entry;
  }
}

function positiveDiff(reported: Usage, have: Usage): Usage | undefined {
  const d = emptyUsage();
  let any = false;
  for (const f of FIELDS) {
    const diff = reported[f] - have[f];
    if (diff > 1e-12) {
      d[f] = diff;
      any = true;
    }
  }
  return any ? d : undefined;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const numbers = (x: unknown, n?: number): x is number[] => Array.isArray(x) && (n === undefined || x.length === n) && x.every((v) => typeof v === 'number' && Number.isFinite(v));

function isEntry(x: unknown): x is EntryJSON {
  if (!isObject(x)) return false;
  const strings = ['source', 'key', 'generation', 'agent'].every((k) => typeof x[k] === 'string');
  const optionalNumber = (k: string) => x[k] === undefined || (typeof x[k] === 'number' && Number.isFinite(x[k]));
  return (
    strings &&
    typeof x.known === 'boolean' &&
    numbers(x.totals, WIDTH) &&
    typeof x.calls === 'number' &&
    typeof x.floorSeq === 'number' &&
    ['lastCallAt', 'seenAt', 'evictedAt', 'baselineAt', 'coveredUntil', 'lastUsageAt'].every(optionalNumber) &&
    (x.firstUsageAt === null || optionalNumber('firstUsageAt')) &&
    numbers(x.minutes) &&
    numbers(x.bucketUse, x.minutes.length * WIDTH) &&
    numbers(x.recentAt) &&
    Array.isArray(x.recentIds) &&
    x.recentIds.length === x.recentAt.length &&
    x.recentIds.every((id) => typeof id === 'string') &&
    numbers(x.recentUse, x.recentAt.length * WIDTH)
  );
}
