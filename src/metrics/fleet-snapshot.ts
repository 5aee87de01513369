import type { BudgetUse } from '../domain/decision.js';
import type { SessionView } from '../domain/session-view.js';

/** What the metrics need from the daemon each time the fleet changes (or at scrape time). */
export interface FleetSnapshot {
  readonly sessions: readonly SessionView[];
  /** Aggregate (agent/fleet scope) budget use from the engine; session-scope use comes from each view's `budgets`. */
  readonly budgets?: readonly BudgetUse[];
  /** Sessions whose usage is unknown right now, by source. */
  readonly usageUnknown?: ReadonlyMap<string, number>;
}

/** Cumulative usage of one agent on one source. */
export interface AgentTally {
  readonly source: string;
  readonly agent: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

/** One `budget_used_ratio` series: session scope is the worst session per policy; agent scope per agent; fleet one. */
export interface BudgetSeries {
  readonly policy: string;
  readonly scope: string;
  readonly agent?: string;
  ratio: number;
}

/** The bounded figures one snapshot reduces to. */
export interface FleetFigures {
  readonly states: readonly { readonly source: string; readonly agent: string; readonly state: string; readonly count: number }[];
  /** Per (source, agent), the usage added since the previous fold; an agent seen for the first time is listed with its growth (possibly zero). */
  readonly growth: readonly Readonly<AgentTally>[];
  readonly budgets: readonly BudgetSeries[];
  /** The top-N sessions by total tokens, largest first. */
  readonly top: readonly SessionView[];
}

interface Seen {
  generation: string;
  update: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cost: number;
}

interface AgentState {
  readonly tally: AgentTally;
  /** Growth in the current fold; `fresh` until first reported. */
  readonly delta: AgentTally;
  fresh: boolean;
  /** By session key: the generation last seen and its usage then. */
  readonly seen: Map<string, Seen>;
  readonly states: Map<string, number>;
}

/**
 * Reduces the fleet to bounded series in one pass (10k sessions per scrape). Agent counters only ever go up: each
 * session generation contributes the growth since it was last seen, so archiving or deleting a session (routine
 * for cleanup policies) never looks like a counter reset to Prometheus.
 */
export class FleetAggregator {
  readonly #sources = new Map<string, Map<string, AgentState>>();
  readonly #topN: number;
  #update = 0;

  constructor(topN: number) {
    this.#topN = topN;
  }

  fold(snapshot: FleetSnapshot): FleetFigures {
    const update = ++this.#update;
    for (const agents of this.#sources.values()) {
      for (const a of agents.values()) {
        a.states.clear();
        a.delta.input = a.delta.output = a.delta.cacheRead = a.delta.cacheWrite = a.delta.cost = 0;
      }
    }
    const sessionBudgets = new Map<string, number>();
    const otherBudgets = new Map<string, BudgetSeries>();
    const top: SessionView[] = [];
    const topN = this.#topN;
    let live = 0;

    for (const view of snapshot.sessions) {
      const s = view.session;
      const a = this.#agent(s.source, s.agent);
      a.states.set(view.state, (a.states.get(view.state) ?? 0) + 1);
      for (const b of view.budgets) {
        if (b.scope !== 'session') foldBudget(otherBudgets, b);
        else if (Number.isFinite(b.ratio) && b.ratio > (sessionBudgets.get(b.policy) ?? -Infinity)) sessionBudgets.set(b.policy, b.ratio);
      }
      const u = view.usage;
      if (!u.known) continue;
      live++;
      let seen = a.seen.get(s.key);
      if (!seen || seen.generation !== s.generation) {
        seen = { generation: s.generation, update, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
        a.seen.set(s.key, seen);
      }
      seen.update = update;
      const d = a.delta;
      if (u.input > seen.input) {
        d.input += u.input - seen.input;
        seen.input = u.input;
      }
      if (u.output > seen.output) {
        d.output += u.output - seen.output;
        seen.output = u.output;
      }
      if (u.cacheRead > seen.cacheRead) {
        d.cacheRead += u.cacheRead - seen.cacheRead;
        seen.cacheRead = u.cacheRead;
      }
      if (u.cacheWrite > seen.cacheWrite) {
        d.cacheWrite += u.cacheWrite - seen.cacheWrite;
        seen.cacheWrite = u.cacheWrite;
      }
      if (u.cost > seen.cost) {
        d.cost += u.cost - seen.cost;
        seen.cost = u.cost;
      }
      if (topN > 0 && (top.length < topN || u.total > (top[top.length - 1] as SessionView).usage.total)) insertTop(top, view, topN);
    }
    for (const b of snapshot.budgets ?? []) foldBudget(otherBudgets, b);

    const states: { source: string; agent: string; state: string; count: number }[] = [];
    const growth: AgentTally[] = [];
    let remembered = 0;
    for (const agents of this.#sources.values()) {
      for (const a of agents.values()) {
        for (const [state, count] of a.states) states.push({ source: a.tally.source, agent: a.tally.agent, state, count });
        remembered += a.seen.size;
        const d = a.delta;
        if (a.fresh || d.input > 0 || d.output > 0 || d.cacheRead > 0 || d.cacheWrite > 0 || d.cost > 0) {
          a.fresh = false;
          const t = a.tally;
          t.input += d.input;
          t.output += d.output;
          t.cacheRead += d.cacheRead;
          t.cacheWrite += d.cacheWrite;
          t.cost += d.cost;
          growth.push({ ...d });
        }
      }
    }
    // Forget sessions gone from the fleet once they clearly outnumber the live ones, to bound memory.
    if (remembered > 2 * live + 1000) {
      for (const agents of this.#sources.values()) for (const a of agents.values()) for (const [key, seen] of a.seen) if (seen.update !== update) a.seen.delete(key);
    }
    const budgets: BudgetSeries[] = [...sessionBudgets].map(([policy, ratio]) => ({ policy, scope: 'session', ratio }));
    budgets.push(...otherBudgets.values());
    return { states, growth, budgets, top };
  }

  #agent(source: string, agent: string): AgentState {
    let agents = this.#sources.get(source);
    if (!agents) {
      agents = new Map();
      this.#sources.set(source, agents);
    }
    let state = agents.get(agent);
    if (!state) {
      state = {
        tally: { source, agent, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
        delta: { source, agent, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 },
        fresh: true,
        seen: new Map(),
        states: new Map(),
      };
      agents.set(agent, state);
    }
    return state;
  }
}

function foldBudget(into: Map<string, BudgetSeries>, b: BudgetUse): void {
  if (!Number.isFinite(b.ratio)) return;
  const agent = b.scope === 'agent' ? (b.agent ?? b.subject.replace(/^agent /, '')) : undefined;
  const id = `${b.policy}\u0000${b.scope}\u0000${agent ?? ''}`;
  const prev = into.get(id);
  if (!prev) into.set(id, { policy: b.policy, scope: b.scope, ...(agent !== undefined ? { agent } : {}), ratio: b.ratio });
  else if (b.ratio > prev.ratio) prev.ratio = b.ratio;
}

/** Inserts into a list sorted by total tokens (descending), keeping at most `n`. */
function insertTop(top: SessionView[], view: SessionView, n: number): void {
  const total = view.usage.total;
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
