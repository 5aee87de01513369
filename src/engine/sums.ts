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
  private slotOf = new Int32Array(0);
  private slots = new Map<string, Map<string, number>>();
  /** Entry indices per slot, in ledger order. */
  private members: number[][] = [];
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
    if (ledger !== this.ledger || version === undefined || layout === undefined || layout !== this.layout) {
      this.regroup(ledger);
      this.ledger = ledger;
      this.layout = layout ?? -1;
      this.version = version ?? -1;
      return;
    }
    if (version === this.version) return;
    const dirty = new Set<number>();
    const changed = ledger.changedSince?.(this.version);
    if (changed) {
      for (const e of changed) {
        const slot = this.slots.get(e.source)?.get(e.agent);
        // Not grouped yet: the view changed shape without saying so; start over rather than guess.
        if (slot === undefined) {
          this.regroup(ledger);
          this.version = version;
          return;
        }
        dirty.add(slot);
        if (e.lastUsageAt !== undefined && e.lastUsageAt > this.latest) this.latest = e.lastUsageAt;
      }
    } else {
      const { entries } = this;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (e.version === undefined || e.version > this.version) {
          dirty.add(this.slotOf[i]!);
          if (e.lastUsageAt !== undefined && e.lastUsageAt > this.latest) this.latest = e.lastUsageAt;
        }
      }
    }
    this.version = version;
    // Usage at or after `to` makes every sum depend on `to`: keep nothing until it is in the past.
    if (this.latest >= to) this.tables.clear();
    for (const [from, table] of this.tables) {
      for (const slot of dirty) table.sums[slot] = this.slotSum(slot, from, this.to);
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
    for (let slot = 0; slot < this.members.length; slot++) sums.push(this.slotSum(slot, from, this.to));
    sums.push(this.fleetSum(sums));
    table = { sums };
    tables.set(from, table);
    return table;
  }

  private regroup(ledger: LedgerView): void {
    const entries: SessionUsageView[] = [];
    const slotOf: number[] = [];
    const slots = new Map<string, Map<string, number>>();
    const members: number[][] = [];
    let latest = -Infinity;
    for (const entry of ledger.entries()) {
      let agents = slots.get(entry.source);
      if (!agents) slots.set(entry.source, (agents = new Map<string, number>()));
      let slot = agents.get(entry.agent);
      if (slot === undefined) {
        agents.set(entry.agent, (slot = members.length));
        members.push([]);
      }
      members[slot]!.push(entries.length);
      slotOf.push(slot);
      entries.push(entry);
      if (entry.lastUsageAt !== undefined && entry.lastUsageAt > latest) latest = entry.lastUsageAt;
    }
    this.entries = entries;
    this.slotOf = Int32Array.from(slotOf);
    this.slots = slots;
    this.members = members;
    this.recents = [];
    this.latest = latest;
    this.tables = new Map();
  }

  private slotSum(slot: number, from: number, to: number): Sum {
    const usage = zero();
    let known = true;
    const list = this.members[slot]!;
    for (let k = 0; k < list.length; k++) {
      const e = this.entries[list[k]!]!;
      if (!e.known) known = false;
      // Fast paths: nothing since `from`, or everything since `from` (then the totals are the window's sum).
      if (e.lastUsageAt !== undefined && e.lastUsageAt < from) continue;
      add(usage, e.firstUsageAt !== undefined && e.firstUsageAt >= from && e.lastUsageAt !== undefined && e.lastUsageAt < to ? e.totals : e.between(from, to));
    }
    return { usage, known };
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
