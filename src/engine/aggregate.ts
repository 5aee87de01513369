import type { Session } from '../domain/session.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { BudgetUse, Decision } from '../domain/decision.js';
import type { WindowBounds } from '../policy/window.js';
import { decideRecordedEscalation, decideViolation, decideWarn, type Situation } from './decide.js';
import { NO, YES, type MatchIndex } from './profiles.js';
import type { LedgerSums } from './sums.js';

/**
 * One evaluation's sessions by identity profile: counts as the session loop goes, and the sessions of each
 * profile (in input order) sorted out only once a subject needs them. Buffers are reused between evaluations.
 */
export class Roster {
  private sessions: readonly Session[] = [];
  private profileOf = new Int32Array(0);
  private counts = new Int32Array(0);
  /** Per profile, its position among this evaluation's profiles by first appearance (valid where counted). */
  private ranks = new Int32Array(0);
  /** Profiles in order of first appearance in this evaluation. */
  private firsts: number[] = [];
  private starts = new Int32Array(0);
  private order = new Int32Array(0);
  private sorted = false;

  /** Starts an evaluation over `sessions` with `profiles` identities known so far. */
  reset(sessions: readonly Session[], profiles: number): void {
    this.sessions = sessions;
    this.sorted = false;
    if (this.profileOf.length < sessions.length) this.profileOf = new Int32Array(Math.max(sessions.length, 2 * this.profileOf.length));
    this.grow(profiles);
    this.counts.fill(0);
    this.firsts.length = 0;
  }

  /** Session `i` of this evaluation has profile `id`. */
  note(i: number, id: number): void {
    if (id >= this.counts.length) this.grow(id + 1);
    this.profileOf[i] = id;
    if (this.counts[id]!++ === 0) {
      this.ranks[id] = this.firsts.length;
      this.firsts.push(id);
    }
  }

  /** Profiles present in this evaluation, in order of first appearance (the order a fresh grouping sees them in). */
  present(): readonly number[] {
    return this.firsts;
  }

  /** Position of a present profile in `present()`. */
  rank(id: number): number {
    return this.ranks[id]!;
  }

  /** How many of this evaluation's sessions have that profile. */
  count(id: number): number {
    return id < this.counts.length ? this.counts[id]! : 0;
  }

  /** Calls `visit` for each session of profile `id`, in input order, until it returns true; true if one did. */
  some(id: number, visit: (session: Session) => boolean): boolean {
    if (this.count(id) === 0) return false;
    this.sort();
    for (let k = this.starts[id]!, end = this.starts[id + 1]!; k < end; k++) if (visit(this.sessions[this.order[k]!]!)) return true;
    return false;
  }

  /** Drops the references to this evaluation's sessions. */
  release(): void {
    this.sessions = [];
  }

  private grow(profiles: number): void {
    if (this.counts.length >= profiles) return;
    const size = Math.max(profiles, 2 * this.counts.length, 64);
    const counts = new Int32Array(size);
    counts.set(this.counts);
    this.counts = counts;
    this.ranks = new Int32Array(size);
    for (let k = 0; k < this.firsts.length; k++) this.ranks[this.firsts[k]!] = k;
  }

  private sort(): void {
    if (this.sorted) return;
    this.sorted = true;
    const n = this.sessions.length;
    const p = this.counts.length;
    if (this.starts.length < p + 1) this.starts = new Int32Array(p + 1);
    if (this.order.length < n) this.order = new Int32Array(this.profileOf.length);
    let at = 0;
    for (let id = 0; id < p; id++) {
      this.starts[id] = at;
      at += this.counts[id]!;
    }
    this.starts[p] = at;
    const next = this.starts.slice(0, p);
    for (let i = 0; i < n; i++) this.order[next[this.profileOf[i]!]!++] = i;
  }
}

/** One aggregate subject of a policy: a (source, agent) or the fleet, with the identities that can fall under it. */
interface Subject {
  readonly source: string;
  readonly agent: string;
  /** Profile ids, ascending. */
  readonly profiles: number[];
}

/** An aggregate policy's subjects, extended as identities appear (never rebuilt: identities are never forgotten). */
export class Subjects {
  private seen = 0;
  private readonly subjectOf: number[] = [];
  private readonly list: Subject[] = [];
  private readonly byKey = new Map<string, Map<string, number>>();
  private readonly stamps: number[] = [];
  private stamp = 0;
  private readonly visit: number[] = [];

  constructor(
    private readonly policy: number,
    private readonly fleet: boolean,
  ) {}

  /** This evaluation's subjects, ordered by their first present identity (as a fresh grouping would order them). */
  present(index: MatchIndex, roster: Roster): Subject[] {
    const { profiles } = index;
    for (; this.seen < profiles.length; this.seen++) {
      const p = profiles[this.seen]!;
      if (p.verdicts[this.policy] === NO) {
        this.subjectOf.push(-1);
        continue;
      }
      const source = this.fleet ? '' : p.source;
      const agent = this.fleet ? '' : p.agent;
      let agents = this.byKey.get(source);
      if (!agents) this.byKey.set(source, (agents = new Map<string, number>()));
      let s = agents.get(agent);
      if (s === undefined) {
        agents.set(agent, (s = this.list.length));
        this.list.push({ source, agent, profiles: [] });
        this.stamps.push(0);
      }
      this.list[s]!.profiles.push(p.id);
      this.subjectOf.push(s);
    }
    this.stamp++;
    this.visit.length = 0;
    for (const id of roster.present()) {
      const s = this.subjectOf[id]!;
      if (s < 0 || this.stamps[s] === this.stamp) continue;
      this.stamps[s] = this.stamp;
      this.visit.push(s);
    }
    return this.visit.map((s) => this.list[s]!);
  }
}

/** A subject's sessions: the matching members of its identity profiles, identities by first appearance. */
function membersOf(j: number, subject: Subject, roster: Roster, index: MatchIndex): Session[] {
  const out: Session[] = [];
  const ids = subject.profiles.filter((id) => roster.count(id) > 0).sort((a, b) => roster.rank(a) - roster.rank(b));
  for (const id of ids) {
    const { verdicts } = index.profiles[id]!;
    roster.some(id, (s) => {
      if (verdicts[j] === YES || index.matches(j, s, verdicts)) out.push(s);
      return false;
    });
  }
  return out;
}

/** Whether any session of the subject matches policy `j` (without collecting them). */
function anyMember(j: number, subject: Subject, roster: Roster, index: MatchIndex): boolean {
  for (const id of subject.profiles) {
    if (roster.count(id) === 0) continue;
    const { verdicts } = index.profiles[id]!;
    if (verdicts[j] === YES) return true;
    if (roster.some(id, (s) => index.matches(j, s, verdicts))) return true;
  }
  return false;
}

/** What an aggregate evaluation reads: the engine's memo plus this evaluation's roster and windows. */
export interface AggregateScene {
  readonly policies: readonly Policy[];
  readonly index: MatchIndex;
  readonly roster: Roster;
  readonly sums: LedgerSums;
  readonly subjects: (j: number) => Subjects;
  readonly windowOf: (j: number) => WindowBounds | undefined;
}

/**
 * Agent and fleet scopes: one subject per (policy, source+agent | fleet, window start), summing ALL ledger
 * entries of the subject within the window (ended sessions too); targets are its current matching sessions.
 */
export function evaluateAggregates(
  wide: readonly number[],
  scene: AggregateScene,
  at: Situation,
  out: { decisions: Decision[]; aggregates: BudgetUse[]; notes: string[] },
  fail: (policy: number, subject: string, error: unknown) => void = (_j, _s, error) => {
    throw error;
  },
): void {
  const { policies } = scene;
  for (const j of wide) {
    try {
      evaluateAggregate(j, scene, at, out);
    } catch (error) {
      fail(j, policies[j]!.scope === 'fleet' ? 'fleet' : `agents of policy ${policies[j]!.name}`, error);
    }
  }
}

/** One agent- or fleet-scope policy over every subject it has. */
function evaluateAggregate(j: number, scene: AggregateScene, at: Situation, out: { decisions: Decision[]; aggregates: BudgetUse[]; notes: string[] }): void {
  const { policies, index, roster, sums } = scene;
  {
    const policy = policies[j]!;
    const fleet = policy.scope === 'fleet';
    const window = scene.windowOf(j);
    const from = window ? window.start : -Infinity;
    const suffix = window ? `|${window.start}` : '';
    for (const group of scene.subjects(j).present(index, roster)) {
      if (!anyMember(j, group, roster, index)) continue;
      const { source, agent } = group;
      let targets: Session[] | undefined;
      const lazyTargets = () => (targets ??= membersOf(j, group, roster, index));
      const sum = fleet ? sums.sum(from) : sums.sum(from, source, agent);
      const subject = fleet ? 'fleet' : `agent ${agent}`;
      const context: ConditionContext = sum.known ? { now: at.now, aggregate: sum.usage, recent: fleet ? sums.recent(undefined, undefined) : sums.recent(source, agent) } : { now: at.now };
      const ratio = sum.known ? policy.condition.budget(context) : 0;
      out.aggregates.push({
        policy: policy.name,
        scope: policy.scope,
        subject,
        ...(fleet ? {} : { source, agent }),
        ratio,
        ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
      });
      const stateKey = fleet ? `${policy.name}|fleet${suffix}` : `${policy.name}|${source}|agent:${agent}${suffix}`;
      const target = { policy, scope: policy.scope, subject, stateKey, members: lazyTargets, context, ...(window ? { window } : {}) };
      if (!sum.known) {
        out.notes.push(`policy ${policy.name}: ${subject} usage is not known yet (a source is re-syncing); not evaluated`);
        const d = decideRecordedEscalation(target, at);
        if (d) out.decisions.push(d);
        continue;
      }
      const holds = policy.condition.holds ? policy.condition.holds(context) : policy.condition.evaluate(context).matched;
      const d = holds ? decideViolation(target, at) : decideWarn(target, at, ratio);
      if (d) out.decisions.push(d);
    }
  }
}
