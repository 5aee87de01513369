import type { Session, Usage } from '../sources/source.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { BudgetUse, Decision } from './types.js';
import { windowAt } from '../policy/window.js';
import { decideViolation, decideWarn, type Situation } from './decide.js';
import { YES, type MatchIndex, type Profile } from './profiles.js';

/** Usage of one (source, agent) within one window; `known` is false if any entry behind it is. */
interface Sum {
  readonly usage: Usage;
  known: boolean;
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

/** The ledger grouped once per evaluation by (source, agent), then summed per distinct window start. */
class LedgerSums {
  private readonly entries: SessionUsageView[] = [];
  private readonly slotOf: number[] = [];
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly slotCount: number;
  private readonly byWindow = new Map<number, Sum[]>();

  constructor(private readonly ledger: LedgerView, private readonly to: number) {
    let count = 0;
    for (const entry of ledger.entries()) {
      let agents = this.slots.get(entry.source);
      if (!agents) this.slots.set(entry.source, (agents = new Map()));
      let slot = agents.get(entry.agent);
      if (slot === undefined) agents.set(entry.agent, (slot = count++));
      this.entries.push(entry);
      this.slotOf.push(slot);
    }
    this.slotCount = count;
  }

  /** Sums per slot for usage since `from` (-Infinity: all time). */
  private sums(from: number): Sum[] {
    let sums = this.byWindow.get(from);
    if (sums) return sums;
    sums = Array.from({ length: this.slotCount + 1 }, () => ({ usage: zero(), known: true }));
    const fleet = sums[this.slotCount]!;
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      const sum = sums[this.slotOf[i]!]!;
      if (!e.known) sum.known = fleet.known = false;
      // Fast paths: nothing since `from`, or everything since `from` (then the totals are the window's sum).
      if (e.lastUsageAt !== undefined && e.lastUsageAt < from) continue;
      const u = e.firstUsageAt !== undefined && e.firstUsageAt >= from && e.lastUsageAt !== undefined && e.lastUsageAt < this.to ? e.totals : e.between(from, this.to);
      add(sum.usage, u);
      add(fleet.usage, u);
    }
    this.byWindow.set(from, sums);
    return sums;
  }

  /** The agent's (or with agent undefined, the fleet's) sum since `from`. */
  sum(from: number, source?: string, agent?: string): Sum {
    const sums = this.sums(from);
    if (source === undefined || agent === undefined) return sums[this.slotCount]!;
    const slot = this.slots.get(source)?.get(agent);
    return slot === undefined ? { usage: zero(), known: true } : sums[slot]!;
  }

  /** Usage in [from, to) of the agent's (or fleet's) entries, exact where the ledger keeps calls (for `burn`). */
  recent(source: string | undefined, agent: string | undefined): (from: number, to: number) => Usage {
    return (from, to) => {
      const total = zero();
      for (const e of this.entries) {
        if (source !== undefined && (e.source !== source || e.agent !== agent)) continue;
        if (e.lastUsageAt !== undefined && e.lastUsageAt < from) continue;
        add(total, e.between(from, to));
      }
      return total;
    };
  }
}

/** A subject's sessions: the matching members of its identity profiles. */
function membersOf(policyIndex: number, profiles: readonly Profile[], members: readonly (Session[] | undefined)[], index: MatchIndex): Session[] {
  const out: Session[] = [];
  for (const p of profiles) {
    const list = members[p.id] ?? [];
    if (p.verdicts[policyIndex] === YES) {
      for (const s of list) out.push(s);
    } else {
      for (const s of list) if (index.matches(policyIndex, s, p.verdicts)) out.push(s);
    }
  }
  return out;
}

/** Whether any session of these profiles matches policy `policyIndex` (without collecting them). */
function anyMember(policyIndex: number, profiles: readonly Profile[], members: readonly (Session[] | undefined)[], index: MatchIndex): boolean {
  for (const p of profiles) {
    const list = members[p.id] ?? [];
    if (list.length > 0 && p.verdicts[policyIndex] === YES) return true;
    for (const s of list) if (index.matches(policyIndex, s, p.verdicts)) return true;
  }
  return false;
}

/**
 * Agent and fleet scopes: one subject per (policy, source+agent | fleet, window start), summing ALL ledger
 * entries of the subject within the window (ended sessions too); targets are its current matching sessions.
 */
export function evaluateAggregates(
  wide: readonly number[],
  policies: readonly Policy[],
  index: MatchIndex,
  members: readonly (Session[] | undefined)[],
  ledger: LedgerView,
  at: Situation,
  out: { decisions: Decision[]; aggregates: BudgetUse[]; notes: string[] },
): void {
  const sums = new LedgerSums(ledger, at.now + 1);
  for (const j of wide) {
    const policy = policies[j]!;
    const fleet = policy.scope === 'fleet';
    const window = policy.window ? windowAt(policy.window, at.now) : undefined;
    const from = window ? window.start : -Infinity;
    const suffix = window ? `|${window.start}` : '';
    // Group the identities (not the sessions) that can match by subject.
    const groups = new Map<string, Map<string, Profile[]>>();
    for (const p of index.profiles) {
      if (p.verdicts[j] === 0 || !members[p.id]) continue;
      const source = fleet ? '' : p.source;
      const agent = fleet ? '' : p.agent;
      let agents = groups.get(source);
      if (!agents) groups.set(source, (agents = new Map()));
      const list = agents.get(agent);
      if (list) list.push(p);
      else agents.set(agent, [p]);
    }
    for (const [source, agents] of groups) {
      for (const [agent, profiles] of agents) {
        if (!anyMember(j, profiles, members, index)) continue;
        let targets: Session[] | undefined;
        const lazyTargets = () => (targets ??= membersOf(j, profiles, members, index));
        const sum = fleet ? sums.sum(from) : sums.sum(from, source, agent);
        const subject = fleet ? 'fleet' : `agent ${agent}`;
        const context: ConditionContext = sum.known
          ? { now: at.now, aggregate: sum.usage, recent: fleet ? sums.recent(undefined, undefined) : sums.recent(source, agent) }
          : { now: at.now };
        const ratio = sum.known ? policy.condition.budget(context) : 0;
        out.aggregates.push({
          policy: policy.name,
          scope: policy.scope,
          subject,
          ...(fleet ? {} : { source, agent }),
          ratio,
          ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
        });
        if (!sum.known) {
          out.notes.push(`policy ${policy.name}: ${subject} usage is not known yet (a source is re-syncing); not evaluated`);
          continue;
        }
        const stateKey = fleet ? `${policy.name}|fleet${suffix}` : `${policy.name}|${source}|agent:${agent}${suffix}`;
        const target = { policy, scope: policy.scope, subject, stateKey, members: lazyTargets, context, ...(window ? { window } : {}) };
        const holds = policy.condition.holds ? policy.condition.holds(context) : policy.condition.evaluate(context).matched;
        const d = holds ? decideViolation(target, at) : decideWarn(target, at, ratio);
        if (d) out.decisions.push(d);
      }
    }
  }
}
