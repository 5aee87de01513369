import type { Usage } from '../domain/session.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';

/** Usage of one (source, agent) — or the fleet — within one window; `known` is false if any entry behind it is. */
export interface Sum {
  readonly usage: Readonly<Usage>;
  readonly known: boolean;
}

const NOTHING: Sum = Object.freeze({ usage: Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 }), known: true });

/** Sums per slot (agent) plus the fleet's at index `slotCount`, for one window start. */
interface WindowTable {
  readonly sums: Sum[];
  /** Per slot, the running sums over its members in order (see `Prefix`); absent for tables that are never kept. */
  readonly prefixes?: Prefix[];
}

const FIELDS = 5;

/**
 * A slot's running sums in member order: `values[k * 5 + f]` is field f (input, output, cacheRead, cacheWrite, cost)
 * summed over the first k members, and `firstUnknown` the first member whose usage is not known. When members from
 * position p on change, only the sums from p are computed again, with the same additions in the same order as a full
 * sum, so the result is bit for bit what a fresh sum gives. The busy members are the newest sessions, at the end.
 */
interface Prefix {
  values: Float64Array;
  firstUnknown: number;
}

/**
 * The ledger grouped by (source, agent) and summed per distinct window start, kept between evaluations: while the
 * ledger's `layout` stays, only the agents whose entries changed since the last `version` are summed again, and a
 * window's table is reused as long as no usage lies at or after `to` (then the result cannot depend on `to`).
 * A ledger view without versions is regrouped and summed on every evaluation.
 */
export class LedgerSums {
  private ledger: LedgerView | undefined;
  private layout = -1;
  private version = -1;
  private entries: SessionUsageView[] = [];
  private slotOf: number[] = [];
  private slots = new Map<string, Map<string, number>>();
  /** Entry indices per slot, in ledger order. */
  private members: number[][] = [];
  /** Each entry's position among its slot's members. */
  private positionOf: number[] = [];
  /** Each entry's index in `entries` (a ledger hands back the same objects from `changedSince`). */
  private indexOfEntry = new Map<SessionUsageView, number>();
  private recents: (((from: number, to: number) => Usage) | undefined)[] = [];
  private latest = -Infinity;
  private tables = new Map<number, WindowTable>();
  private to = 0;
  /** Tables for this evaluation only, when usage at or after `to` exists (clock skew): exact, never kept. */
  private exact = new Map<number, WindowTable>();

  /** Brings the grouping up to date with the ledger; `to` is the exclusive end of every window (now + 1). */
  sync(ledger: LedgerView, to: number): void {
    this.to = to;
    this.exact.clear();
    const { version, layout } = ledger;
    // New sessions only (the usual layout change): appended to their agents' groups, their sums added on; else regroup.
    const appended = ledger === this.ledger && version !== undefined && layout !== undefined && layout !== this.layout && this.append(ledger.addedSince?.(this.layout));
    if (ledger !== this.ledger || version === undefined || layout === undefined || (layout !== this.layout && !appended)) {
      this.regroup(ledger);
      this.ledger = ledger;
      this.layout = layout ?? -1;
      this.version = version ?? -1;
      return;
    }
    this.layout = layout;
    if (version === this.version) return;
    /** Per dirty slot, the position of its first changed member. */
    const dirty = new Map<number, number>();
    const touch = (slot: number, position: number): void => {
      const before = dirty.get(slot);
      if (before === undefined || position < before) dirty.set(slot, position);
    };
    const changed = ledger.changedSince?.(this.version);
    if (changed) {
      for (const e of changed) {
        const slot = this.slots.get(e.source)?.get(e.agent);
        const index = slot === undefined ? undefined : this.indexOfEntry.get(e);
        // Not grouped yet: the view changed shape without saying so; start over rather than guess.
        if (slot === undefined || index === undefined || this.slotOf[index] !== slot) {
          this.regroup(ledger);
          this.version = version;
          return;
        }
        touch(slot, this.positionOf[index]!);
        if (e.lastUsageAt !== undefined && e.lastUsageAt > this.latest) this.latest = e.lastUsageAt;
      }
    } else {
      const { entries } = this;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (e.version === undefined || e.version > this.version) {
          touch(this.slotOf[i]!, this.positionOf[i]!);
          if (e.lastUsageAt !== undefined && e.lastUsageAt > this.latest) this.latest = e.lastUsageAt;
        }
      }
    }
    this.version = version;
    // Usage at or after `to` makes every sum depend on `to`: keep nothing until it is in the past.
    if (this.latest >= to) this.tables.clear();
    for (const [from, table] of this.tables) {
      for (const [slot, position] of dirty) table.sums[slot] = this.slotSum(slot, from, this.to, table.prefixes?.[slot], position);
      table.sums[this.members.length] = this.fleetSum(table.sums);
    }
  }

  /** The agent's (or with agent undefined, the fleet's) sum since `from` (-Infinity: all time). */
  sum(from: number, source?: string, agent?: string): Sum {
    const { sums } = this.table(from);
    if (source === undefined || agent === undefined) return sums[this.members.length]!;
    const slot = this.slots.get(source)?.get(agent);
    return slot === undefined ? NOTHING : sums[slot]!;
  }

  /** Usage in [from, to) of the agent's (or fleet's) entries, exact where the ledger keeps calls (for `burn`). */
  recent(source: string | undefined, agent: string | undefined): (from: number, to: number) => Usage {
    const slot = source === undefined || agent === undefined ? this.members.length : this.slots.get(source)?.get(agent);
    if (slot === undefined) return () => zero();
    const { entries } = this;
    const list = slot === this.members.length ? undefined : this.members[slot]!;
    return (this.recents[slot] ??= (from, to) => {
      const total = zero();
      const n = list ? list.length : entries.length;
      for (let k = 0; k < n; k++) {
        const e = entries[list ? list[k]! : k]!;
        if (e.lastUsageAt !== undefined && e.lastUsageAt < from) continue;
        add(total, e.between(from, to));
      }
      return total;
    });
  }

  private table(from: number): WindowTable {
    const cacheable = this.latest < this.to;
    const tables = cacheable ? this.tables : this.exact;
    let table = tables.get(from);
    if (table) return table;
    const sums: Sum[] = [];
    // Running sums only for tables kept across evaluations: an exact one is used once.
    const prefixes: Prefix[] | undefined = cacheable ? [] : undefined;
    for (let slot = 0; slot < this.members.length; slot++) {
      const prefix = prefixes ? { values: new Float64Array((this.members[slot]!.length + 1) * FIELDS), firstUnknown: Number.POSITIVE_INFINITY } : undefined;
      if (prefix) prefixes!.push(prefix);
      sums.push(this.slotSum(slot, from, this.to, prefix, 0));
    }
    sums.push(this.fleetSum(sums));
    table = prefixes ? { sums, prefixes } : { sums };
    tables.set(from, table);
    return table;
  }

  /**
   * Groups the ledger's entries by (source, agent), in creation order where the ledger numbers its entries (so entries
   * appended later land where a regroup would put them, and sums add up in the same order either way).
   */
  private regroup(ledger: LedgerView): void {
    const all = [...ledger.entries()];
    if (all.every((e) => e.seq !== undefined)) all.sort((a, b) => a.seq! - b.seq!);
    this.entries = [];
    this.slotOf = [];
    this.positionOf = [];
    this.indexOfEntry = new Map();
    this.slots = new Map();
    this.members = [];
    this.recents = [];
    this.latest = -Infinity;
    this.tables = new Map();
    for (const entry of all) this.place(entry);
  }

  /** Adds one entry at the end of its group (a new group after the others for an agent not seen yet); returns its slot. */
  private place(entry: SessionUsageView): number {
    let agents = this.slots.get(entry.source);
    if (!agents) this.slots.set(entry.source, (agents = new Map<string, number>()));
    let slot = agents.get(entry.agent);
    if (slot === undefined) {
      agents.set(entry.agent, (slot = this.members.length));
      this.members.push([]);
    }
    this.indexOfEntry.set(entry, this.entries.length);
    this.positionOf.push(this.members[slot]!.length);
    this.members[slot]!.push(this.entries.length);
    this.slotOf.push(slot);
    this.entries.push(entry);
    if (entry.lastUsageAt !== undefined && entry.lastUsageAt > this.latest) this.latest = entry.lastUsageAt;
    return slot;
  }

  /**
   * Appends entries the ledger created since the grouping was made, when they are all it changed and each is newer
   * than every entry grouped (so a regroup would place them exactly here). False: regroup instead. A new agent's group
   * gets a zero sum in every kept table; its entries, changed at creation, are summed by the caller as changed ones.
   */
  private append(added: readonly SessionUsageView[] | undefined): boolean {
    if (!added) return false;
    let newest = this.entries.length > 0 ? this.entries[this.entries.length - 1]!.seq : Number.NEGATIVE_INFINITY;
    for (const e of added) {
      if (e.seq === undefined || newest === undefined || e.seq <= newest || this.indexOfEntry.has(e)) return false;
      newest = e.seq;
    }
    for (const e of added) {
      const groups = this.members.length;
      const slot = this.place(e);
      if (slot < groups) continue;
      this.recents.length = 0;
      for (const table of this.tables.values()) {
        table.sums.splice(slot, 0, NOTHING);
        table.prefixes?.push({ values: new Float64Array(FIELDS * 8), firstUnknown: Number.POSITIVE_INFINITY });
      }
    }
    return true;
  }

  /**
   * The slot's sum over [from, to). With `prefix`, only the members from position `start` on are added again, onto the
   * running sums kept for the ones before it (the same additions in the same order as a full sum: the same bits).
   */
  private slotSum(slot: number, from: number, to: number, prefix?: Prefix, start = 0): Sum {
    const list = this.members[slot]!;
    const begin = prefix ? Math.min(start, list.length) : 0;
    const usage = zero();
    let firstUnknown = Number.POSITIVE_INFINITY;
    if (prefix && begin > 0) {
      const v = prefix.values;
      const at = begin * FIELDS;
      usage.input = v[at]!;
      usage.output = v[at + 1]!;
      usage.cacheRead = v[at + 2]!;
      usage.cacheWrite = v[at + 3]!;
      usage.cost = v[at + 4]!;
      if (prefix.firstUnknown < begin) firstUnknown = prefix.firstUnknown;
    }
    for (let k = begin; k < list.length; k++) {
      const e = this.entries[list[k]!]!;
      if (!e.known && k < firstUnknown) firstUnknown = k;
      // Fast paths: nothing since `from`, or everything since `from` (then the totals are the window's sum).
      if (e.lastUsageAt === undefined || e.lastUsageAt >= from) {
        add(usage, e.firstUsageAt !== undefined && e.firstUsageAt >= from && e.lastUsageAt !== undefined && e.lastUsageAt < to ? e.totals : e.between(from, to));
      }
      if (prefix) {
        const at = (k + 1) * FIELDS;
        if (prefix.values.length < at + FIELDS) {
          const grown = new Float64Array(Math.max(prefix.values.length * 2, at + FIELDS));
          grown.set(prefix.values);
          prefix.values = grown;
        }
        const v = prefix.values;
        v[at] = usage.input;
        v[at + 1] = usage.output;
        v[at + 2] = usage.cacheRead;
        v[at + 3] = usage.cacheWrite;
        v[at + 4] = usage.cost;
      }
    }
    if (prefix) prefix.firstUnknown = firstUnknown;
    return { usage, known: firstUnknown === Number.POSITIVE_INFINITY };
  }

  /** The fleet: the agents' sums added in slot order (so an incremental update sums exactly as a fresh one). */
  private fleetSum(sums: readonly Sum[]): Sum {
    const usage = zero();
    let known = true;
    for (let slot = 0; slot < this.members.length; slot++) {
      const s = sums[slot]!;
      if (!s.known) known = false;
      add(usage, s.usage);
    }
    return { usage, known };
  }
}

function zero(): Usage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
}

function add(into: Usage, u: Readonly<Usage>): void {
  into.input += u.input;
  into.output += u.output;
  into.cacheRead += u.cacheRead;
  into.cacheWrite += u.cacheWrite;
  into.cost += u.cost;
}
