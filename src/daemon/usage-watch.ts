import type { LedgerView } from '../ledger/types.js';
import type { Session } from '../domain/session.js';

/** One session whose usage the platform has not (re-)reported. */
export interface UnknownUsage {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  /** Epoch ms it was first seen unknown. */
  readonly since: number;
  /** Consecutive sweeps it has been unknown in. */
  readonly sweeps: number;
}

/** What one sweep's look at the fleet found. */
export interface UsageWatchReport {
  /** Keys to ask the platform about again, by source. */
  readonly refresh: ReadonlyMap<string, readonly string[]>;
  /** Unknown for longer than the limit, reported for the first time (say so loudly, once). */
  readonly overdue: readonly UnknownUsage[];
  /** Were reported overdue and are known again. */
  readonly recovered: readonly UnknownUsage[];
}

interface Tracked {
  source: string;
  key: string;
  generation: string;
  agent: string;
  since: number;
  sweeps: number;
  reported: boolean;
}

/**
 * Tracks sessions whose usage is unknown (no ledger entry, or an entry not re-established after a reconnect or a
 * restart), so the daemon asks the platform again every sweep and, past `more than two sweeps` or `afterMs`, says
 * so loudly instead of silently never evaluating the policies that need usage. Fail safe means alert, never silence.
 */
export class UsageWatch {
  readonly #tracked = new Map<string, Tracked>();

  /** @param afterMs unknown for this long is overdue even within two sweeps (undefined: sweeps only). */
  constructor(private afterMs?: number) {}

  /** A reload may change the limit. */
  configure(afterMs: number | undefined): void {
    this.afterMs = afterMs;
  }

  /** Called once per sweep with the synced sessions. */
  sweep(sessions: readonly Session[], ledger: LedgerView, now: number): UsageWatchReport {
    const seen = new Set<string>();
    const refresh = new Map<string, string[]>();
    const overdue: UnknownUsage[] = [];
    const recovered: UnknownUsage[] = [];
    for (const s of sessions) {
      if (ledger.session(s.source, s.key, s.generation)?.known === true) continue;
      const id = `${s.source}\u0000${s.key}\u0000${s.generation}`;
      seen.add(id);
      let t = this.#tracked.get(id);
      if (!t) this.#tracked.set(id, (t = { source: s.source, key: s.key, generation: s.generation, agent: s.agent, since: now, sweeps: 0, reported: false }));
      t.sweeps++;
      let keys = refresh.get(s.source);
      if (!keys) refresh.set(s.source, (keys = []));
      keys.push(s.key);
      const late = t.sweeps > 2 || (this.afterMs !== undefined && now - t.since >= this.afterMs);
      if (late && !t.reported) {
        t.reported = true;
        overdue.push(view(t));
      }
    }
    for (const [id, t] of this.#tracked) {
      if (seen.has(id)) continue;
      this.#tracked.delete(id);
      if (t.reported) recovered.push(view(t));
    }
    return { refresh, overdue, recovered };
  }

  /** Sessions unknown right now, counted by source (the `clawwarden_sessions_usage_unknown` gauge). */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.#tracked.values()) out.set(t.source, (out.get(t.source) ?? 0) + 1);
    return out;
  }

  /** Everything unknown right now. */
  list(): UnknownUsage[] {
    return [...this.#tracked.values()].map(view);
  }
}

function view(t: Tracked): UnknownUsage {
  return { source: t.source, key: t.key, generation: t.generation, agent: t.agent, since: t.since, sweeps: t.sweeps };
}
