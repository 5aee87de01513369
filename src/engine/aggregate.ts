import type { Session, Usage } from '../sources/source.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { BudgetUse, Decision } from './types.js';
import { windowAt } from '../policy/window.js';
import { decideViolation, decideWarn, refOf, type Situation } from './decide.js';

/** Usage of one (source, agent) or of the fleet within a window, and the ledger entries behind it. */
interface Sum {
  readonly usage: Usage;
  readonly entries: SessionUsageView[];
  known: boolean;
}

/** Sums per (source, agent) and for the fleet, for one window (or all time); shared by policies with the same window. */
interface Sums {
  readonly agents: Map<string, Map<string, Sum>>;
  readonly fleet: Sum;
}

function newSum(): Sum {
  return { usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 }, entries: [], known: true };
}

function addInto(sum: Sum, u: Readonly<Usage>, entry: SessionUsageView): void {
  sum.usage.input += u.input;
  sum.usage.output += u.output;
  sum.usage.cacheRead += u.cacheRead;
  sum.usage.cacheWrite += u.cacheWrite;
  sum.usage.cost += u.cost;
  sum.entries.push(entry);
  if (!entry.known) sum.known = false;
}

function sumLedger(ledger: LedgerView, from: number | undefined, to: number): Sums {
  const agents = new Map<string, Map<string, Sum>>();
  const fleet = newSum();
  for (const entry of ledger.entries()) {
    const u = from === undefined ? entry.totals : entry.between(from, to);
    let bySource = agents.get(entry.source);
    if (!bySource) agents.set(entry.source, (bySource = new Map()));
    let sum = bySource.get(entry.agent);
    if (!sum) bySource.set(entry.agent, (sum = newSum()));
    addInto(sum, u, entry);
    addInto(fleet, u, entry);
  }
  return { agents, fleet };
}

function recentOf(sum: Sum): (from: number, to: number) => Usage {
  return (from, to) => {
    const total = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
    for (const e of sum.entries) {
      const u = e.between(from, to);
      total.input += u.input;
      total.output += u.output;
      total.cacheRead += u.cacheRead;
      total.cacheWrite += u.cacheWrite;
      total.cost += u.cost;
    }
    return total;
  };
}

/**
 * Agent and fleet scopes: one subject per (policy, source+agent | fleet, window start), summing ALL ledger
 * entries of the subject within the window (ended sessions too); targets are its current matching sessions.
 */
export function evaluateAggregates(
  policies: readonly Policy[],
  sessions: readonly Session[],
  ledger: LedgerView,
  at: Situation,
  decisions: Decision[],
  aggregates: BudgetUse[],
  notes: string[],
): void {
  const cache = new Map<string, Sums>();
  for (const policy of policies) {
    const window = policy.window ? windowAt(policy.window, at.now) : undefined;
    const cacheKey = window ? String(window.start) : 'all';
    let sums = cache.get(cacheKey);
    if (!sums) cache.set(cacheKey, (sums = sumLedger(ledger, window?.start, at.now + 1)));
    const suffix = window ? `|${window.start}` : '';

    const groups = new Map<string, Map<string, Session[]>>();
    for (const s of sessions) {
      if (!policy.matches(s)) continue;
      const bucketKey = policy.scope === 'fleet' ? '' : s.source;
      let bySource = groups.get(bucketKey);
      if (!bySource) groups.set(bucketKey, (bySource = new Map()));
      const agent = policy.scope === 'fleet' ? '' : s.agent;
      const list = bySource.get(agent);
      if (list) list.push(s);
      else bySource.set(agent, [s]);
    }
    for (const [source, bySource] of groups) {
      for (const [agent, members] of bySource) {
        const fleet = policy.scope === 'fleet';
        const sum = fleet ? sums.fleet : sums.agents.get(source)?.get(agent) ?? newSum();
        const context: ConditionContext = sum.known
          ? { now: at.now, aggregate: sum.usage, recent: recentOf(sum) }
          : { now: at.now };
        if (!sum.known) notes.push(`policy ${policy.name}: ${fleet ? 'fleet' : `agent ${agent}`} usage is not known yet (a source is re-syncing); not evaluated`);
        const subject = fleet ? 'fleet' : `agent ${agent}`;
        const stateKey = fleet ? `${policy.name}|fleet${suffix}` : `${policy.name}|${source}|agent:${agent}${suffix}`;
        const ratio = sum.known ? policy.condition.budget(context) : 0;
        aggregates.push({
          policy: policy.name,
          scope: policy.scope,
          subject,
          ...(fleet ? {} : { source, agent }),
          ratio,
          ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
        });
        if (!sum.known) continue;
        const target = { policy, scope: policy.scope, subject, stateKey, targets: members.map(refOf), context, ...(window ? { window } : {}) };
        const d = policy.condition.evaluate(context).matched ? decideViolation(target, at) : decideWarn(target, at, ratio);
        if (d) decisions.push(d);
      }
    }
  }
}
