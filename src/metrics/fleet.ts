import type { BudgetUse } from '../engine/types.js';
import type { SessionView } from '../daemon/view.js';

/** Token kinds as label values (`type`), in exposition order. */
export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_write'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** What the metrics need from the daemon each time the fleet changes (or at scrape time). */
export interface FleetSnapshot {
  readonly sessions: readonly SessionView[];
  /** Aggregate (agent/fleet scope) budget use from the engine; session-scope use comes from each view's `budgets`. */
  readonly budgets?: readonly BudgetUse[];
}

interface Tally {
  readonly source: string;
  readonly agent: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

interface Seen extends Tally {
  update: number;
}

/**
 * Turns per-session cumulative usage into per-agent counters that only ever go up: each session generation
 * contributes the growth since it was last seen, so archiving or deleting a session (routine for cleanup policies)
 * never looks like a counter reset to Prometheus.
 */
export class AgentUsageCounters {
  readonly #seen = new Map<string, Seen>();
  readonly #agents = new Map<string, Tally>();
  #update = 0;

  /** Folds one snapshot in; sessions with unknown usage are skipped until the ledger knows them. */
  add(sessions: readonly SessionView[]): void {
    const update = ++this.#update;
    let live = 0;
    for (const view of sessions) {
      if (!view.usage.known) continue;
      live++;
      const s = view.session;
      const id = `${s.source}\u0000${s.key}\u0000${s.generation}`;
      const agentId = `${s.source}\u0000${s.agent}`;
      let agent = this.#agents.get(agentId);
      if (!agent) {
        agent = { source: s.source, agent: s.agent, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
        this.#agents.set(agentId, agent);
      }
      const prev = this.#seen.get(id);
      const u = view.usage;
      agent.input += Math.max(0, u.input - (prev?.input ?? 0));
      agent.output += Math.max(0, u.output - (prev?.output ?? 0));
      agent.cacheRead += Math.max(0, u.cacheRead - (prev?.cacheRead ?? 0));
      agent.cacheWrite += Math.max(0, u.cacheWrite - (prev?.cacheWrite ?? 0));
      agent.cost += Math.max(0, u.cost - (prev?.cost ?? 0));
      this.#seen.set(id, {
        source: s.source, agent: s.agent, update,
        input: Math.max(u.input, prev?.input ?? 0), output: Math.max(u.output, prev?.output ?? 0),
        cacheRead: Math.max(u.cacheRead, prev?.cacheRead ?? 0), cacheWrite: Math.max(u.cacheWrite, prev?.cacheWrite ?? 0),
        cost: Math.max(u.cost, prev?.cost ?? 0),
      });
    }
    // Forget generations gone from the fleet once they clearly outnumber the live ones, to bound memory.
    if (this.#seen.size > 2 * live + 1000) {
      for (const [id, seen] of this.#seen) if (seen.update !== update) this.#seen.delete(id);
    }
  }

  /** Cumulative totals per (source, agent). */
  agents(): Iterable<Readonly<Tally>> {
    return this.#agents.values();
  }
}

/** Session counts per (source, agent, state). */
export function countSessions(sessions: readonly SessionView[]): Map<string, { source: string; agent: string; state: string; count: number }> {
  const counts = new Map<string, { source: string; agent: string; state: string; count: number }>();
  for (const view of sessions) {
    const id = `${view.session.source}\u0000${view.session.agent}\u0000${view.state}`;
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { source: view.session.source, agent: view.session.agent, state: view.state, count: 1 });
  }
  return counts;
}

/** One `budget_used_ratio` series: session scope is the worst session per policy; agent scope per agent; fleet one. */
export interface BudgetSeries {
  readonly policy: string;
  readonly scope: string;
  readonly agent?: string;
  readonly ratio: number;
}

/** Budget use reduced to bounded series (no session keys): the max per (policy, scope[, agent]). */
export function budgetSeries(snapshot: FleetSnapshot): BudgetSeries[] {
  const max = new Map<string, BudgetSeries>();
  const fold = (b: BudgetUse): void => {
    if (!Number.isFinite(b.ratio)) return;
    const agent = b.scope === 'agent' ? (b.agent ?? b.subject.replace(/^agent /, '')) : undefined;
    const id = `${b.policy}\u0000${b.scope}\u0000${agent ?? ''}`;
    const prev = max.get(id);
    if (!prev || b.ratio > prev.ratio) max.set(id, { policy: b.policy, scope: b.scope, ...(agent !== undefined ? { agent } : {}), ratio: b.ratio });
  };
  for (const view of snapshot.sessions) for (const b of view.budgets) fold(b);
  for (const b of snapshot.budgets ?? []) fold(b);
  return [...max.values()];
}

/** The `n` sessions with the most total tokens (known usage only), largest first. */
export function topSessions(sessions: readonly SessionView[], n: number): SessionView[] {
  if (n <= 0) return [];
  const top: SessionView[] = [];
  for (const view of sessions) {
    if (!view.usage.known) continue;
    const total = view.usage.total;
    if (top.length === n && total <= (top[n - 1] as SessionView).usage.total) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((top[mid] as SessionView).usage.total >= total) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, view);
    if (top.length > n) top.pop();
  }
  return top;
}
