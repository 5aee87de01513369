import type { Usage } from '../domain/session.js';

/** Read-only view of one session generation's usage, as the engine sees it. */
export interface SessionUsageView {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  /** Cumulative since the generation started. */
  readonly totals: Readonly<Usage>;
  readonly calls: number;
  /** Epoch ms of the last model call seen, if any. */
  readonly lastCallAt?: number;
  /**
   * False until a baseline or an event has established the numbers (after a restart or reconnect the
   * ledger is `known` again only once reconciled). Usage conditions never fire on unknown usage.
   */
  readonly known: boolean;
  /**
   * Latest time a baseline top-up was placed at: usage the platform reported in total, whose per-call timing is not
   * known. A rate measured over a period containing it would be fiction.
   */
  readonly baselineAt?: number;
  /** Usage with a timestamp in [from, to) (epoch ms); minute precision. */
  between(from: number, to: number): Usage;
  /** Epoch ms of the earliest usage counted (-Infinity when some usage has no time); lets callers use `totals` for windows starting before it. */
  readonly firstUsageAt?: number;
  /** Epoch ms of the latest usage counted (calls or baseline top-ups); `between(from, …)` is zero for any later `from`. */
  readonly lastUsageAt?: number;
  /** The ledger `version` at this entry's last change (absent on views that do not track it). */
  readonly version?: number;
  /** Creation order within its ledger (absent on views that do not track it): readers that keep groupings sum in this order. */
  readonly seq?: number;
}

/** Read-only view of the whole ledger. */
export interface LedgerView {
  session(source: string, key: string, generation: string): SessionUsageView | undefined;
  /** Every generation of every session the ledger holds (including ended ones), for aggregate budgets. */
  entries(): Iterable<SessionUsageView>;
  /** Increases on every change (usage, baseline, known flags, pruning); a reader may reuse what it derived while it stays. */
  readonly version?: number;
  /** Increases when an entry is created or removed or changes agent: lookups and `entries()` order stay valid while it stays. */
  readonly layout?: number;
  /** The entries changed after `version` (same layout), or undefined when the view cannot tell. */
  changedSince?(version: number): Iterable<SessionUsageView> | undefined;
  /**
   * The entries created after `layout`, in creation order, when that is all that changed the layout since (nothing
   * removed, no agent changed); undefined when something else did or the view cannot tell.
   */
  addedSince?(layout: number): readonly SessionUsageView[] | undefined;
}
