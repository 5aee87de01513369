import type { Session } from '../sources/source.js';
import type { LedgerView, SessionUsageView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { BudgetUse, Decision, EngineState, EvaluationInput, EvaluationResult, Hold } from './types.js';
import { windowAt, type WindowBounds } from '../policy/window.js';
import { evaluateAggregates } from './aggregate.js';
import { decideViolation, decideWarn, refOf, type Situation } from './decide.js';
import { MatchIndex, NO } from './profiles.js';

type MutableContext = { -readonly [K in keyof ConditionContext]: ConditionContext[K] };

/**
 * The engine: a pure, deterministic function from (sessions, ledger, policies, state, now) to decisions
 * with their reasons. Session scope is the hot loop: allocation-free until a policy matches.
 */
export function evaluate(input: EvaluationInput): EvaluationResult {
  const { sessions, ledger, policies, state, now } = input;
  const at: Situation = { state, now, mode: input.mode };
  const decisions: Decision[] = [];
  const aggregates: BudgetUse[] = [];
  const notes: string[] = [];

  const index = new MatchIndex(policies);
  const local: number[] = [];
  const wide: number[] = [];
  policies.forEach((p, j) => (p.scope === 'session' ? local : wide).push(j));
  const windows: (WindowBounds | undefined)[] = policies.map((p) => (p.window && p.scope === 'session' ? windowAt(p.window, now) : undefined));
  const unknown = new Array<number>(policies.length).fill(0);
  const heldKeys = indexHolds(state.holds);
  const members: (Session[] | undefined)[] = [];
  const collect = wide.length > 0;
  const n = local.length;
  const context: MutableContext = { now, session: undefined, usage: undefined, held: false, aggregate: undefined };

  for (let i = 0; i < sessions.length; i++) {
    const session = sessions[i]!;
    const profile = index.profile(session);
    if (collect) {
      const list = members[profile.id];
      if (list) list.push(session);
      else members[profile.id] = [session];
    }
    const verdicts = profile.verdicts;
    let usage: SessionUsageView | undefined;
    let looked = false;
    for (let k = 0; k < n; k++) {
      const j = local[k]!;
      if (verdicts[j] === NO || !index.matches(j, session, verdicts)) continue;
      if (!looked) {
        // Once per session, and only once some policy matched it.
        usage = ledger.session(session.source, session.key, session.generation);
        looked = true;
        context.session = session;
        context.usage = usage;
        context.held = heldKeys !== undefined && heldKeys.get(session.source)?.has(session.key) === true;
      }
      const policy = policies[j]!;
      const window = windows[j];
      context.aggregate = window && usage?.known ? usage.between(window.start, now + 1) : undefined;
      const condition = policy.condition;
      if (condition.holds ? condition.holds(context) : condition.evaluate(context).matched) {
        const d = decideViolation(subjectOf(policy, session, context, window), at);
        if (d) decisions.push(d);
        continue;
      }
      if (condition.usesUsage && (usage === undefined || !usage.known)) unknown[j]!++;
      if (policy.warn !== undefined) {
        const ratio = condition.budget(context);
        if (ratio >= policy.warn) {
          const d = decideWarn(subjectOf(policy, session, context, window), at, ratio);
          if (d) decisions.push(d);
        }
      }
    }
  }
  policies.forEach((p, j) => {
    if (unknown[j]! > 0) notes.push(`policy ${p.name}: ${unknown[j]} session(s) not evaluated on usage: not known yet`);
  });

  if (collect) evaluateAggregates(wide, policies, index, members, ledger, at, { decisions, aggregates, notes });
  releaseHolds(input, decisions);
  return { decisions, aggregates, notes };
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

function indexHolds(holds: EngineState['holds']): Map<string, Set<string>> | undefined {
  if (holds.size === 0) return undefined;
  const index = new Map<string, Set<string>>();
  for (const h of holds.values()) {
    let keys = index.get(h.source);
    if (!keys) index.set(h.source, (keys = new Set()));
    keys.add(h.key);
  }
  return index;
}

/** Holds placed by windowed policies whose window has reset: resume them. */
function releaseHolds(input: EvaluationInput, decisions: Decision[]): void {
  const due: Hold[] = [];
  for (const h of input.state.holds.values()) if (h.until !== undefined && h.until <= input.now) due.push(h);
  if (due.length === 0) return;
  const live = new Map<string, Session>();
  for (const s of input.sessions) live.set(`${s.source}\u0000${s.key}`, s);
  due.sort((a, b) => (a.source + a.key < b.source + b.key ? -1 : 1));
  for (const h of due) {
    const policy = input.policies.find((p) => p.name === h.policy);
    const session = live.get(`${h.source}\u0000${h.key}`);
    const stateKey = `${h.policy ?? h.by}|${h.source}|${h.key}|${h.generation}`;
    decisions.push({
      id: `${stateKey}|release|${h.until}`,
      policy: h.policy ?? h.by,
      kind: 'release',
      scope: policy?.scope ?? 'session',
      subject: `session ${h.key}`,
      stateKey,
      targets: [session ? refOf(session) : { source: h.source, key: h.key, generation: h.generation, agent: h.agent, main: h.kind === 'hold', active: false }],
      step: 0,
      episode: 0,
      actions: [{ action: 'resume' }],
      reason: `the budget window of policy ${h.policy ?? h.by} has reset; releasing the ${h.kind === 'hold' ? 'hold' : 'pause'} placed for: ${h.reason}`,
      measurements: [],
      mode: policy?.mode ?? input.mode,
    });
  }
}

/** Session-scope budget use of one session (for console bars): every matching session policy with a usage or greater-than threshold. */
export function budgetsFor(session: Session, ledger: LedgerView, policies: readonly Policy[], now: number): BudgetUse[] {
  const usage: SessionUsageView | undefined = ledger.session(session.source, session.key, session.generation);
  const uses: BudgetUse[] = [];
  for (const policy of policies) {
    if (policy.scope !== 'session' || !policy.matches(session)) continue;
    const window = policy.window ? windowAt(policy.window, now) : undefined;
    const context: ConditionContext = {
      now,
      session,
      ...(usage ? { usage } : {}),
      ...(window && usage?.known ? { aggregate: usage.between(window.start, now + 1) } : {}),
    };
    const ratio = policy.condition.budget(context);
    if (ratio <= 0 && !policy.condition.usesUsage) continue;
    uses.push({
      policy: policy.name,
      scope: 'session',
      subject: `session ${session.key}`,
      source: session.source,
      key: session.key,
      agent: session.agent,
      ratio,
      ...(policy.warn !== undefined ? { warnAt: policy.warn } : {}),
    });
  }
  return uses;
}
