import type { Session } from '../domain/session.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { BudgetUse, Decision } from '../domain/decision.js';
import type { EvaluationInput, EvaluationResult, PolicyError } from './types.js';
import { windowAt, type WindowBounds } from '../policy/window.js';
import { evaluateAggregates, Roster, Subjects, type AggregateScene } from './aggregate.js';
import { decideRecordedEscalation, decideViolation, decideWarn, type Situation } from './decide.js';
import { indexHolds, releaseHolds } from './holds.js';
import { MatchIndex, type SessionMemo } from './profiles.js';
import { LedgerSums } from './sums.js';
import { SpawnTree, treeUsage } from './tree.js';

type MutableContext = { -readonly [K in keyof ConditionContext]: ConditionContext[K] };

/** `input.policies` is neither the engine's policy list nor an in-order part of it. */
export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';
  readonly code = 'E_ENGINE_POLICIES';
}

/**
 * A persistent engine for one policy list: `evaluate` gives exactly what the standalone `evaluate` gives for the
 * same input, but remembers per Session object its identity and matching policies, per ledger layout each
 * session's usage view, and per ledger version the agent/fleet window sums, so a steady fleet is not re-derived
 * on every sweep. Pure: no clock, no I/O; the memo never changes a result.
 */
export interface Engine {
  readonly policies: readonly Policy[];
  /** As `evaluate(input)`; `input.policies` must be the engine's list or an in-order part of it (e.g. without fleet policies). */
  evaluate(input: EvaluationInput): EvaluationResult;
  /** As `budgetsFor(session, ledger, engine.policies, now)`. */
  budgetsFor(session: Session, ledger: LedgerView, now: number): BudgetUse[];
}

/** The engine for these policies (compiled once, kept for the daemon's lifetime or until the policies reload). */
export function createEngine(policies: readonly Policy[]): Engine {
  return new PersistentEngine(policies, true);
}

/** Which of the engine's policies an evaluation uses. */
interface Selection {
  readonly list: readonly Policy[];
  /** Engine index of each `list` entry. */
  readonly indices: readonly number[];
  readonly active: Uint8Array;
  /** Active agent/fleet policies, ascending. */
  readonly wide: readonly number[];
}

/** The engine proper; `remember: false` (one-shot `evaluate`) keeps no per-session memo. */
export class PersistentEngine implements Engine {
  private readonly index: MatchIndex;
  private readonly roster = new Roster();
  private readonly sums = new LedgerSums();
  private readonly subjects: Subjects[] = [];
  private readonly unknown: Int32Array;
  private readonly full: Selection;
  private selection: Selection;
  private ledger: LedgerView | undefined;
  private layout: number | undefined;
  private epoch = 0;
  /** The last sweep's sessions and their memos by position: a steady inventory finds its memo without hashing. */
  private readonly placed: Session[] = [];
  private readonly placedMemo: SessionMemo[] = [];

  constructor(
    readonly policies: readonly Policy[],
    private readonly remember: boolean,
  ) {
    this.index = new MatchIndex(policies, remember);
    this.unknown = new Int32Array(policies.length);
    this.full = this.select(policies);
    this.selection = this.full;
  }

  evaluate(input: EvaluationInput): EvaluationResult {
    const { sessions, ledger, state, now } = input;
    const use = this.use(input.policies);
    const { policies, index, unknown, roster } = this;
    const at: Situation = { state, now, mode: input.mode };
    const decisions: Decision[] = [];
    const aggregates: BudgetUse[] = [];
    const notes: string[] = [];
    const errors: PolicyError[] = [];
    // A policy that throws is skipped for the rest of this evaluation (node_exporter's collector wrapper); the rest go on.
    let failed: Set<number> | undefined;
    const fail = (j: number, subject: string, error: unknown): void => {
      (failed ??= new Set()).add(j);
      errors.push({ policy: policies[j]!.name, subject, message: error instanceof Error ? error.message : String(error) });
    };

    const epoch = this.usageEpoch(ledger);
    const windows: (WindowBounds | undefined)[] = policies.map((p, j) => (p.window && use.active[j] === 1 ? windowAt(p.window, now) : undefined));
    const active = use.active;
    unknown.fill(0);
    const heldKeys = indexHolds(state.holds);
    const collect = use.wide.length > 0;
    if (collect) roster.reset(sessions, index.profiles.length);
    const context: MutableContext = { now, session: undefined, usage: undefined, hold: undefined, aggregate: undefined };
    // `tree: true` policies measure a session with the sessions it spawned; the links are indexed only if one matches.
    const spawned = new SpawnTree(sessions);

    const { placed, placedMemo } = this;
    // A sweep (not a small event-driven evaluation) takes over the positions.
    const place = this.remember && sessions.length >= placed.length >> 1;
    for (let i = 0; i < sessions.length; i++) {
      const session = sessions[i]!;
      let memo: SessionMemo;
      if (placed[i] === session) memo = placedMemo[i]!;
      else {
        memo = index.memo(session);
        if (place) {
          placed[i] = session;
          placedMemo[i] = memo;
        }
      }
      if (collect) roster.note(i, memo.profile.id);
      const local = memo.local;
      let usage: SessionUsageView | undefined;
      let tree: SessionUsageView | undefined;
      let treeLooked = false;
      let descendants = 0;
      let looked = false;
      for (let k = 0; k < local.length; k++) {
        const j = local[k]!;
        if (active[j] === 0 || failed?.has(j) === true) continue;
        if (!looked) {
          // Once per session, and only once some policy matched it.
          usage = usageOf(memo, session, ledger, epoch);
          looked = true;
          context.session = session;
          context.usage = usage;
          context.hold = heldKeys?.get(session.source)?.get(session.key);
        }
        const policy = policies[j]!;
        const window = windows[j];
        try {
          if (policy.tree === true && !treeLooked) {
            const below = spawned.descendants(session);
            descendants = below.length;
            tree = treeUsage(usage, below, ledger);
            treeLooked = true;
          }
          const measured = policy.tree === true ? tree : usage;
          context.usage = measured;
          context.aggregate = window && measured?.known ? measured.between(window.start, now + 1) : undefined;
          const condition = policy.condition;
          if (condition.holds ? condition.holds(context) : condition.evaluate(context).matched) {
            const subject = subjectOf(policy, session, context, window);
            const d = decideViolation(policy.tree === true ? { ...subject, measuredOver: `over the session and the ${descendants} session(s) it spawned` } : subject, at);
            if (d) decisions.push(d);
            continue;
          }
          if (condition.usesUsage && (measured === undefined || !measured.known)) {
            unknown[j]!++;
            // A ladder already started is never blocked by usage the platform has not re-reported yet.
            if (state.episodes.size > 0) {
              const d = decideRecordedEscalation(subjectOf(policy, session, context, window), at);
              if (d) decisions.push(d);
            }
            continue;
          }
          if (policy.warn !== undefined) {
            const ratio = condition.budget(context);
            if (ratio >= policy.warn) {
              const d = decideWarn(subjectOf(policy, session, context, window), at, ratio);
              if (d) decisions.push(d);
            }
          }
        } catch (error) {
          fail(j, `session ${session.key}`, error);
        }
      }
    }
    if (place && placed.length > sessions.length) {
      placed.length = sessions.length;
      placedMemo.length = sessions.length;
    }
    use.list.forEach((p, k) => {
      const j = use.indices[k]!;
      if (unknown[j]! > 0) notes.push(`policy ${p.name}: ${unknown[j]} session(s) not evaluated on usage: not known yet`);
    });

    if (collect) {
      this.sums.sync(ledger, now + 1);
      const scene: AggregateScene = { policies, index, roster, sums: this.sums, subjects: (j) => this.subjectsOf(j), windowOf: (j) => windows[j] };
      const wide = failed ? use.wide.filter((j) => !failed!.has(j)) : use.wide;
      evaluateAggregates(wide, scene, at, { decisions, aggregates, notes }, fail);
      roster.release();
    }
    releaseHolds(input, decisions);
    if (failed) {
      const names = new Set([...failed].map((j) => policies[j]!.name));
      return { decisions: decisions.filter((d) => !names.has(d.policy) || d.kind === 'release'), aggregates, notes, errors };
    }
    return { decisions, aggregates, notes, errors };
  }

  budgetsFor(session: Session, ledger: LedgerView, now: number): BudgetUse[] {
    const memo = this.index.memo(session);
    const usage = usageOf(memo, session, ledger, this.usageEpoch(ledger));
    const uses: BudgetUse[] = [];
    for (const j of memo.local) {
      const use = budgetOf(this.policies[j]!, session, usage, now);
      if (use) uses.push(use);
    }
    return uses;
  }

  /** A new epoch (forgetting every remembered usage view) when the ledger object or its layout changed. */
  private usageEpoch(ledger: LedgerView): number {
    const layout = ledger.layout;
    if (ledger !== this.ledger || layout === undefined || layout !== this.layout) {
      this.ledger = ledger;
      this.layout = layout;
      this.epoch++;
    }
    return this.epoch;
  }

  private subjectsOf(j: number): Subjects {
    return (this.subjects[j] ??= new Subjects(j, this.policies[j]!.scope === 'fleet'));
  }

  private use(list: readonly Policy[]): Selection {
    if (list === this.selection.list) return this.selection;
    const same = list.length === this.policies.length && list.every((p, j) => p === this.policies[j]);
    this.selection = same ? { ...this.full, list } : this.select(list);
    return this.selection;
  }

  private select(list: readonly Policy[]): Selection {
    const indices: number[] = [];
    let from = 0;
    for (const p of list) {
      const j = this.policies.indexOf(p, from);
      if (j < 0) throw new EngineInputError(`policy ${p.name} is not one of this engine's policies (or is out of order); create the engine with the policy list you evaluate`);
      indices.push(j);
      from = j + 1;
    }
    const active = new Uint8Array(this.policies.length);
    for (const j of indices) active[j] = 1;
    const wide = indices.filter((j) => this.policies[j]!.scope !== 'session');
    return { list, indices, active, wide };
  }
}

/** The session's usage view, looked up once per ledger layout when the engine remembers. */
function usageOf(memo: SessionMemo, session: Session, ledger: LedgerView, epoch: number): SessionUsageView | undefined {
  if (memo.epoch === epoch) return memo.usage;
  const usage = ledger.session(session.source, session.key, session.generation);
  // Only a versioned ledger says when a lookup goes stale; other views are asked every time.
  if (ledger.layout !== undefined) {
    memo.usage = usage;
    memo.epoch = epoch;
  }
  return usage;
}

function subjectOf(policy: Policy, session: Session, context: MutableContext, window: WindowBounds | undefined) {
  const base = `${policy.name}|${session.source}|${session.key}|${session.generation}`;
  return {
    policy,
    scope: 'session' as const,
    subject: `session ${session.key}`,
    stateKey: window ? `${base}|${window.start}` : base,
    members: () => [session],
    // A snapshot: the shared context object moves on to the next session.
    context: { ...context },
    ...(window ? { window } : {}),
  };
}

/** One session-scope policy's budget use for a session it matches, or undefined when it has none to show. */
export function budgetOf(policy: Policy, session: Session, usage: SessionUsageView | undefined, now: number): BudgetUse | undefined {
  const window = policy.window ? windowAt(policy.window, now) : undefined;
  const context: ConditionContext = {
    now,
    session,
    ...(usage ? { usage } : {}),
    ...(window && usage?.known ? { aggregate: usage.between(window.start, now + 1) } : {}),
  };
  const ratio = policy.condition.budget(context);
  if (ratio <= 0 && !policy.condition.usesUsage) return undefined;
  return {
    policy: policy.name,
    scope: 'session',
    subject: `session ${session.key}`,
    source: session.source,
    key: session.key,
    agent: session.agent,
    ratio,
    ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
  };
}
