import picomatch from 'picomatch';
import type { Config } from '../config/types.js';
import { conditionModules } from '../conditions/index.js';
import type { ConditionContext } from '../conditions/types.js';
import { fleetRead, planBatch, type FleetView } from '../enforcer/plan.js';
import { protectionMatcher } from '../enforcer/safety.js';
import { evaluate } from '../engine/evaluate.js';
import { LedgerSums } from '../engine/sums.js';
import type { Decision, EngineState, Episode, EvaluationInput, EvaluationResult, PolicyAction } from '../engine/types.js';
import type { LedgerView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import { formatCount, formatDuration, formatMoney, formatPercent } from '../domain/units.js';
import { windowAt, type WindowBounds } from '../policy/window.js';
import type { Session, Usage } from '../sources/source.js';
import { cacheTokens, totalTokens } from '../domain/session.js';
import type { Mark } from '../domain/mark.js';

/** One leaf condition of a policy's `when`, measured now. */
export interface ConditionTrace {
  /** Nesting under `all` / `any` / `not` (0 = top). */
  readonly depth: number;
  /** `tokens.total`, or `all of` / `any of` / `not` for a combinator line. */
  readonly name: string;
  /** `tokens.total 356,256 > 200,000`, `idle 3h > 1d`; for combinators, what they need. */
  readonly text: string;
  readonly value?: number;
  readonly op?: string;
  readonly threshold?: number;
  /** true holds, false does not, undefined unknown (the data is missing). */
  readonly holds: boolean | undefined;
  /** When unknown: what is missing, as the condition says it. */
  readonly reason?: string;
}

/** The next rung of a policy's ladder for this subject. */
export interface NextStep {
  readonly step: number;
  readonly after: string;
  readonly ifActive: boolean;
  readonly actions: readonly string[];
  /** ISO time it comes due, when the ladder has started (else: that long after the first action). */
  readonly due?: string;
}

/** Why one policy does or does not act on one session, with every number it looked at. */
export interface PolicyTrace {
  readonly policy: string;
  readonly scope: Policy['scope'];
  /** `enforce` or `observe`, and whether the policy or the global mode says so. */
  readonly mode: 'enforce' | 'observe';
  readonly modeFrom: 'policy' | 'global';
  readonly matches: boolean;
  /** `agent backend matches "backend-*"`, `key agent:backend:main is excluded by "agent:*:main"`. */
  readonly match: readonly string[];
  /** What the conditions measure: the session's totals, its usage in the window, or the agent's / fleet's sum in the window. */
  readonly measures: string;
  readonly window?: { readonly every: string; readonly tz: string; readonly start: string; readonly end: string };
  readonly usageKnown: boolean;
  readonly conditions: readonly ConditionTrace[];
  /** The whole `when`: true, false, or undefined (unknown usage). */
  readonly holds: boolean | undefined;
  /** Share of the tightest "greater than" threshold reached (0.8 = 80 %), and where it warns. */
  readonly budget?: { readonly used: number; readonly warnAt?: number };
  /** `acts` (now), `waits` (ladder under way, next step not due), `done` (acted, nothing more to do), `quiet` (does not act). */
  readonly verdict: 'acts' | 'waits' | 'done' | 'quiet';
  /** One sentence: why it acts or not. */
  readonly why: string;
  /** What the engine decides about this session now, if anything. */
  readonly decision?: { readonly kind: Decision['kind']; readonly step: number; readonly actions: readonly string[]; readonly reason: string; readonly targets: number };
  /** What the enforcer's safety rules would hold back, each with why. */
  readonly safety: readonly string[];
  /** The ladder so far for this subject (episode, first action, step done, cooldown). */
  readonly ladder?: { readonly episode: number; readonly firedAt: string; readonly stepDone: number; readonly cooldownUntil?: string; readonly crossing?: string };
  readonly next?: NextStep;
}

/** A pending mark on the session: an action a policy decided, deferred by its notice, and what happens when it falls due. */
export interface MarkTrace {
  readonly policy: string;
  /** The decision that marked it: its kind and its step of the policy's ladder (0 = the policy's own `do`). */
  readonly kind: Decision['kind'];
  readonly step: number;
  /** `cleanup(archive)`, `kill`, … */
  readonly action: string;
  /** The notice, as written (`1h`). */
  readonly notice: string;
  /** ISO times it was marked and falls due. */
  readonly markedAt: string;
  readonly due: string;
  /** Until it falls due (0 once due), in ms and as written. */
  readonly leftMs: number;
  readonly left: string;
  /** Whether the marking policy decides it again now (it acts at due time only if so then); undefined when that cannot be told. */
  readonly stillMatches: boolean | undefined;
  /** One sentence: what happens at due time, as the enforcer does it. */
  readonly then: string;
  /** The command that cancels it. */
  readonly unmark: string;
}

export interface SessionExplanation {
  readonly at: string;
  readonly session: Session;
  readonly usage: (Usage & { readonly total: number; readonly calls: number; readonly known: boolean }) | undefined;
  readonly protected: boolean;
  readonly held?: string;
  /** Actions pending on this session after their notice, soonest due first (absent when there are none). */
  readonly marks?: readonly MarkTrace[];
  readonly policies: readonly PolicyTrace[];
}

export interface ExplainInput {
  readonly session: Session;
  /** The whole fleet, as the daemon evaluates it (targets of agent and fleet budgets, the blast radius). */
  readonly sessions: readonly Session[];
  readonly ledger: LedgerView;
  readonly config: Pick<Config, 'policies' | 'mode' | 'safety'>;
  /** The enforcement memory; with `marks` (the daemon's and the saved state have them) pending marks are explained. */
  readonly state: EngineState & { readonly marks?: ReadonlyMap<string, Mark> };
  readonly now: number;
  /** Only this policy. */
  readonly policy?: string;
  /**
   * The engine to ask (the daemon passes its own persistent one); default a one-shot `evaluate`. It must have been
   * made for `config.policies`.
   */
  readonly engine?: { evaluate(input: EvaluationInput): EvaluationResult };
  /**
   * The fleet as the enforcer's planning sees it (sources and their capabilities, synced or not, usage known or not);
   * default: every source of `sessions` synced and able to take every action, as a fleet read just now.
   */
  readonly fleet?: FleetView;
}

const action = (a: PolicyAction): string =>
  a.action === 'notify' ? (a.notifiers === 'all' ? 'notify' : `notify(${a.notifiers.join(', ')})`) : a.action === 'cleanup' ? `cleanup(${a.cleanup})` : a.action;

/**
 * Explains, policy by policy, what the daemon's engine decides about one session right now and why: the match, each
 * condition's measured value against its threshold, the window and aggregate measured, the ladder's state and next
 * step, and what the enforcer's safety rules would hold back. Pure: reads the inputs, changes nothing.
 */
export function explainSession(input: ExplainInput): SessionExplanation {
  const { session, ledger, state, now, config } = input;
  const policies = input.policy === undefined ? config.policies : config.policies.filter((p) => p.name === input.policy);
  // The engine's own verdict over the whole fleet: targets, ids and blast radius are what the daemon would see.
  const result = (input.engine ?? { evaluate }).evaluate({ sessions: input.sessions, ledger, policies: config.policies, state, now, mode: config.mode });
  const isProtected = protectionMatcher(config.safety.protect);
  // The enforcer's own planning of that batch: the blast-radius limit over it, and (planned again without the limit,
  // so a batch refused whole still names them) every step's per-target veto.
  const allow = new Map(config.policies.map((p) => [p.name, p.allowProtected]));
  const context = { fleet: input.fleet ?? fleetOf(input), sessionsInScope: input.sessions.length, isProtected, allowProtected: (name: string) => allow.get(name) ?? false };
  const plan = { blastRadius: planBatch(result.decisions, { ...context, limits: config.safety.maxActionsPerSweep }).blastRadius, steps: planBatch(result.decisions, { ...context, limits: [] }).steps };
  const usage = ledger.session(session.source, session.key, session.generation);
  const sums = new LedgerSums();
  sums.sync(ledger, now + 1);
  const hold = [...state.holds.values()].find((h) => h.source === session.source && h.key === session.key);
  // The marks the enforcer holds on this session (of the one policy asked about, with --policy), soonest due first.
  const marks = [...(state.marks?.values() ?? [])]
    .filter((m) => m.target.source === session.source && m.target.key === session.key && (input.policy === undefined || m.decision.policy === input.policy))
    .sort((a, b) => a.due - b.due || a.id.localeCompare(b.id));
  const loaded = new Set(config.policies.map((p) => p.name));
  const made = new Set(result.decisions.map((d) => d.id));
  const markTraces = marks.map((m) => traceMark(m, { session, now, fleet: context.fleet, loaded: loaded.has(m.decision.policy), decided: made.has(m.decision.id) }));
  const traces = policies.map((policy) => {
    const decision = result.decisions.find((d) => d.policy === policy.name && d.targets.some((t) => t.source === session.source && t.key === session.key));
    const own = marks.filter((m) => m.decision.policy === policy.name);
    const trace = tracePolicy(policy, { ...input, usageView: usage, sums, hold, decision, plan, marks: own });
    // Not deciding it now, yet its mark is pending: say so beside the verdict (the mark itself says what becomes of it).
    const first = own[0];
    return first && !decision ? { ...trace, why: `${trace.why}; it marked this session for ${action(first.action)}, due ${iso(first.due)} (see marked)` } : trace;
  });
  const t = usage?.totals;
  return {
    at: new Date(now).toISOString(),
    session,
    usage: t ? { ...t, total: totalTokens(t), calls: usage.calls, known: usage.known } : undefined,
    protected: isProtected(session.key),
    ...(hold ? { held: `${hold.kind === 'hold' ? 'held' : 'paused'} by ${hold.by} since ${new Date(hold.at).toISOString()}: ${hold.reason}` } : {}),
    ...(markTraces.length > 0 ? { marks: markTraces } : {}),
    policies: traces,
  };
}

/**
 * A pending mark and what the enforcer will do with it at due time: act if the marking policy decides it again then,
 * drop it (journaled, nothing done) at the first whole-fleet evaluation from its due time that finds the policy no longer
 * matching, the session gone or reset; wait while the session's usage is not known; drop it when the daemon starts or
 * reloads without its policy.
 */
function traceMark(mark: Mark, at: { readonly session: Session; readonly now: number; readonly fleet: FleetView; readonly loaded: boolean; readonly decided: boolean }): MarkTrace {
  const { session, now, fleet } = at;
  const policy = mark.decision.policy;
  const due = iso(mark.due);
  const pending = mark.due > now;
  const reset = session.generation !== mark.target.generation;
  // As the enforcer: a source not re-synced, or the marked generation's usage not known, cannot tell.
  const known = fleet.synced(session.source) && (reset || fleet.usageKnown(session.source, session.key, mark.target.generation));
  let stillMatches: boolean | undefined;
  let then: string;
  if (!at.loaded) {
    then = `policy ${policy} is not loaded: the daemon drops this mark (journaled, nothing done) when it starts or reloads without that policy`;
  } else if (!known) {
    then = `usage of this session is not known yet: once due, the mark is neither acted on nor dropped until an evaluation can tell whether policy ${policy} still matches`;
  } else if (reset) {
    stillMatches = false;
    then = `the session was reset since it was marked: the mark is dropped ${pending ? `at its due time (${due})` : 'at the next sweep or due-timer evaluation'} and nothing is done`;
  } else if (at.decided) {
    stillMatches = true;
    then = pending
      ? `at ${due} it acts only if policy ${policy} still matches then (it does now); if it no longer does, the mark is dropped at that time and nothing is done`
      : `due since ${due} and policy ${policy} still matches: the next evaluation acts on it`;
  } else {
    stillMatches = false;
    then = pending
      ? `policy ${policy} does not match now: unless it matches again by ${due}, the mark is dropped at that time (journaled as dropped) and nothing is done`
      : `due since ${due} but policy ${policy} no longer matches: the next sweep or due-timer evaluation drops it (journaled as dropped) without acting`;
  }
  const leftMs = Math.max(0, mark.due - now);
  return {
    policy,
    kind: mark.decision.kind,
    step: mark.decision.step,
    action: action(mark.action),
    notice: formatDuration(mark.due - mark.at),
    markedAt: iso(mark.at),
    due,
    leftMs,
    left: leftMs > 0 ? formatDuration(leftMs) : 'due',
    stillMatches,
    then,
    unmark: `clawwarden sessions unmark ${mark.target.key}`,
  };
}

interface Scene extends ExplainInput {
  readonly usageView: ReturnType<LedgerView['session']>;
  readonly sums: LedgerSums;
  readonly hold: EngineState['holds'] extends ReadonlyMap<string, infer H> ? H | undefined : never;
  readonly decision: Decision | undefined;
  /** This policy's pending marks on the session. */
  readonly marks: readonly Mark[];
  readonly plan: { readonly blastRadius: ReturnType<typeof planBatch>['blastRadius']; readonly steps: ReturnType<typeof planBatch>['steps'] };
}

/** A fleet read just now: every source that has a session is synced and can take every action. */
function fleetOf(input: ExplainInput): FleetView {
  const every = new Set(['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'] as const);
  const sources = new Map(input.sessions.map((s) => [s.source, { type: s.source, capabilities: every }]));
  return fleetRead(sources, input.sessions, input.ledger);
}

function tracePolicy(policy: Policy, scene: Scene): PolicyTrace {
  const { session, now, state } = scene;
  const mode: PolicyTrace['mode'] = (policy.mode ?? scene.config.mode) === 'dry-run' ? 'observe' : 'enforce';
  const window = policy.window ? windowAt(policy.window, now) : undefined;
  const matches = policy.matches(session);
  const match = matchReasons(policy, session);
  const context = contextFor(policy, scene, window);
  const measures = measured(policy, session, window);
  const conditions = traceWhen(policy.raw['when'], context.context, 0);
  const evaluated = policy.condition.evaluate(context.context);
  const holds = evaluated.unknown ? undefined : evaluated.matched;
  const ratio = context.known ? policy.condition.budget(context.context) : 0;
  const stateKey = stateKeyOf(policy, session, window);
  const episode = state.episodes.get(stateKey);
  const base = {
    policy: policy.name,
    scope: policy.scope,
    mode,
    modeFrom: policy.mode !== undefined ? ('policy' as const) : ('global' as const),
    matches,
    match,
    measures,
    ...(window && policy.window ? { window: { every: policy.window.every, tz: policy.window.tz, start: iso(window.start), end: iso(window.end) } } : {}),
    usageKnown: context.known,
    conditions,
    holds,
    ...(policy.warn !== undefined ? { budget: { used: ratio, warnAt: policy.warn } } : {}),
    ...(episode ? { ladder: ladderOf(episode) } : {}),
  };
  const next = nextStep(policy, episode, now);
  const d = scene.decision;
  if (!matches) return { ...base, verdict: 'quiet', why: `does not match this session (${match.find((m) => m.includes(' not ') || m.includes('excluded')) ?? 'match'})`, safety: [] };
  // A decision whose action on this session is marked waits out the notice: the enforcer does nothing with it before then.
  const waiting = d ? scene.marks.find((m) => m.decision.id === d.id && m.due > now) : undefined;
  if (d && waiting) {
    return {
      ...base,
      verdict: 'waits',
      why: `marked this session for ${action(waiting.action)} at ${iso(waiting.at)} (${d.kind === 'escalation' ? `step ${d.step}` : 'its `do`'}, ${formatDuration(waiting.due - waiting.at)} notice); it acts at ${iso(waiting.due)} only if it still matches then`,
      safety: [],
      ...(next ? { next } : {}),
    };
  }
  if (d) {
    const safety = safetyOf(d, scene);
    const acts = d.kind === 'warn' ? 'warns' : mode === 'observe' ? 'would act (observe mode: it records "would …" and touches nothing)' : 'acts';
    const what =
      d.kind === 'escalation'
        ? `step ${d.step} of its ladder is due`
        : d.kind === 'release'
          ? 'the budget window has reset: it releases its pause'
          : d.kind === 'warn'
            ? `${formatPercent(ratio)} of the budget reached; it warns at ${formatPercent(policy.warn ?? 1)}`
            : scene.marks.some((m) => m.decision.id === d.id)
              ? 'the notice of its mark has run out and it still matches'
              : episode
                ? 'the condition holds again after the cooldown'
                : 'the condition holds and it has not acted on this generation yet';
    return {
      ...base,
      verdict: 'acts',
      why: `${acts} now: ${what}`,
      decision: { kind: d.kind, step: d.step, actions: d.actions.map(action), reason: d.reason, targets: d.targets.length },
      safety,
      ...(d.kind === 'violation' && policy.escalate[0]
        ? {
            next: {
              step: 1,
              after: formatDuration(policy.escalate[0].after),
              ifActive: policy.escalate[0].ifActive,
              actions: policy.escalate[0].actions.map(action),
              due: iso(now + policy.escalate[0].after),
            },
          }
        : {}),
      ...(d.kind === 'escalation' && policy.escalate[d.step]
        ? {
            next: {
              step: d.step + 1,
              after: formatDuration(policy.escalate[d.step]!.after),
              ifActive: policy.escalate[d.step]!.ifActive,
              actions: policy.escalate[d.step]!.actions.map(action),
              due: iso((episode?.firedAt ?? now) + policy.escalate[d.step]!.after),
            },
          }
        : {}),
    };
  }
  if (holds === undefined) {
    if (!context.known)
      return { ...base, verdict: 'quiet', why: 'usage is not known yet (the platform has not reported it since the last connect): policies that read usage do not act on it (fail-safe)', safety: [] };
    const unmeasured = conditions.filter((c) => c.holds === undefined && c.value === undefined && c.name !== 'not' && !c.name.endsWith(' of'));
    const missing = unmeasured.map((c) => c.name);
    const reasons = [...new Set(unmeasured.flatMap((c) => (c.reason !== undefined ? [c.reason] : [])))];
    const because = [...(missing.includes('burn') ? ['a burn rate needs a full period of per-call history; usage reported only as a total has no timing'] : []), ...reasons];
    return {
      ...base,
      verdict: 'quiet',
      why: `${missing.join(', ') || 'a condition'} cannot be measured yet${because.length > 0 ? ` (${because.join('; ')})` : ''}, so the policy does not act`,
      safety: [],
    };
  }
  if (!holds) {
    const warn = policy.warn !== undefined ? `; it warns at ${formatPercent(policy.warn)} of the budget (now ${formatPercent(ratio)})` : '';
    const warned = policy.warn !== undefined && ratio >= policy.warn && episode === undefined ? ' (already warned for this subject and window)' : '';
    return { ...base, verdict: 'quiet', why: `the condition does not hold${warn}${warned}`, safety: [], ...(next ? { next } : {}) };
  }
  // The condition holds but the engine decides nothing now: the ladder explains why.
  if (episode) {
    const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
    const cooldown =
      cooldownUntil !== undefined && cooldownUntil > now
        ? `; it may act anew after its cooldown, at ${iso(cooldownUntil)}`
        : cooldownUntil === undefined
          ? '; it has no cooldown, so it does not act again on this generation'
          : '';
    if (next) {
      const blocked = next.ifActive && !session.active ? ' once the session is active again (`if: active`)' : '';
      return {
        ...base,
        verdict: 'waits',
        why: `acted at ${iso(episode.firedAt)} (step ${episode.stepDone} done); step ${next.step} (${next.actions.join(', ')}) is due at ${next.due}${blocked}${cooldown}`,
        safety: [],
        next,
      };
    }
    return { ...base, verdict: 'done', why: `acted at ${iso(episode.firedAt)} and its ladder is complete${cooldown}`, safety: [] };
  }
  return { ...base, verdict: 'quiet', why: 'the condition holds, but the engine decides nothing for this session now (a source re-syncing, or the policy failed this evaluation)', safety: [] };
}

/** Builds the context exactly as the engine does for this policy's scope. */
function contextFor(policy: Policy, scene: Scene, window: WindowBounds | undefined): { context: ConditionContext; known: boolean } {
  const { session, now, usageView, sums, hold } = scene;
  if (policy.scope === 'session') {
    const aggregate = window && usageView?.known ? usageView.between(window.start, now + 1) : undefined;
    return { context: { now, session, ...(usageView ? { usage: usageView } : {}), ...(hold ? { hold } : {}), ...(aggregate ? { aggregate } : {}) }, known: usageView?.known ?? false };
  }
  const fleet = policy.scope === 'fleet';
  const from = window ? window.start : -Infinity;
  const sum = fleet ? sums.sum(from) : sums.sum(from, session.source, session.agent);
  if (!sum.known) return { context: { now }, known: false };
  return { context: { now, aggregate: sum.usage, recent: fleet ? sums.recent(undefined, undefined) : sums.recent(session.source, session.agent) }, known: true };
}

function measured(policy: Policy, session: Session, window: WindowBounds | undefined): string {
  const span = window ? `within the ${policy.window!.every} from ${iso(window.start)} (${policy.window!.at} ${policy.window!.tz})` : 'since it started';
  if (policy.scope === 'session') return window ? `this session's usage ${span}` : "this session's totals (this generation, since it started)";
  if (policy.scope === 'agent') return `the sum of every session of agent ${session.agent} (ended ones too) ${span}`;
  return `the sum of every session of the fleet ${span}`;
}

function stateKeyOf(policy: Policy, session: Session, window: WindowBounds | undefined): string {
  const suffix = window ? `|${window.start}` : '';
  if (policy.scope === 'fleet') return `${policy.name}|fleet${suffix}`;
  if (policy.scope === 'agent') return `${policy.name}|${session.source}|agent:${session.agent}${suffix}`;
  return `${policy.name}|${session.source}|${session.key}|${session.generation}${suffix}`;
}

function ladderOf(e: Episode): NonNullable<PolicyTrace['ladder']> {
  return {
    episode: e.episode,
    firedAt: iso(e.firedAt),
    stepDone: e.stepDone,
    ...(e.cooldownUntil !== undefined ? { cooldownUntil: iso(e.cooldownUntil) } : {}),
    ...(e.crossing !== undefined ? { crossing: e.crossing } : {}),
  };
}

function nextStep(policy: Policy, episode: Episode | undefined, now: number): NextStep | undefined {
  const index = episode ? episode.stepDone : 0;
  const step = policy.escalate[index];
  if (!step) return undefined;
  return {
    step: index + 1,
    after: formatDuration(step.after),
    ifActive: step.ifActive,
    actions: step.actions.map(action),
    ...(episode ? { due: iso(episode.firedAt + step.after) } : { due: `${formatDuration(step.after)} after the first action (≈ ${iso(now + step.after)} if it acted now)` }),
  };
}

/** What the enforcer's planning holds back from this decision: observe mode, each refused step with its reason, the blast radius. */
function safetyOf(d: Decision, scene: Scene): string[] {
  const out: string[] = [];
  if (d.mode === 'dry-run') out.push('observe mode: every action is recorded as "would …" and none is carried out');
  const { plan } = scene;
  const whole = plan.blastRadius && d.mode === 'enforce' && d.kind !== 'release' ? plan.blastRadius : undefined;
  for (const step of plan.steps) {
    if (step.decision !== d || step.verdict !== 'refused' || !step.target) continue;
    out.push(`${step.action.action} on ${step.target.key}: held back — ${step.reason ?? 'refused'}`);
  }
  if (whole) {
    out.push(
      `blast radius: this evaluation plans ${whole.planned} actions, more than safety.maxActionsPerSweep allows (${whole.limit} of ${scene.sessions.length} sessions): the whole batch would be refused and an alert sent`,
    );
  }
  return out;
}

/** Each field of `match` (and `exclude`) against the session, in words. */
function matchReasons(policy: Policy, session: Session): string[] {
  const raw = (policy.raw['match'] ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const test = (globs: unknown, value: string | undefined): boolean => {
    if (value === undefined) return false;
    const list = Array.isArray(globs) ? globs : [globs];
    return list.some((g) => typeof g === 'string' && picomatch.makeRe(g, { dot: true }).test(value));
  };
  const show = (globs: unknown): string => (Array.isArray(globs) ? `[${globs.map((g) => `"${String(g)}"`).join(', ')}]` : `"${String(globs)}"`);
  for (const [field, globs] of Object.entries(raw)) {
    if (field === 'exclude') continue;
    const value = session[field as keyof Session] as string | undefined;
    out.push(test(globs, value) ? `${field} ${value} matches ${show(globs)}` : `${field} ${value ?? '(none)'} does not match ${show(globs)}`);
  }
  const exclude = (raw['exclude'] ?? {}) as Record<string, unknown>;
  for (const [field, globs] of Object.entries(exclude)) {
    const value = session[field as keyof Session] as string | undefined;
    out.push(test(globs, value) ? `${field} ${value} is excluded by ${show(globs)}` : `${field} ${value ?? '(none)'} is not excluded by ${show(globs)}`);
  }
  if (out.length === 0) out.push('the policy has no `match`: it applies to every session');
  return out;
}

/** Each leaf of `when`, compiled by its own condition module and measured on the engine's context. */
function traceWhen(node: unknown, context: ConditionContext, depth: number): ConditionTrace[] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return [];
  const entries = Object.entries(node as Record<string, unknown>);
  const out: ConditionTrace[] = [];
  for (const [name, value] of entries) {
    if (name === 'all' || name === 'any') {
      const kids = (Array.isArray(value) ? value : []).flatMap((k) => traceWhen(k, context, depth + 1));
      const direct = kids.filter((k) => k.depth === depth + 1);
      const holds =
        name === 'all'
          ? direct.some((k) => k.holds === false)
            ? false
            : direct.some((k) => k.holds === undefined)
              ? undefined
              : true
          : direct.some((k) => k.holds === true)
            ? true
            : direct.some((k) => k.holds === undefined)
              ? undefined
              : false;
      out.push({ depth, name: `${name} of`, text: name === 'all' ? 'every condition below holds' : 'at least one condition below holds', holds }, ...kids);
    } else if (name === 'not') {
      const kids = traceWhen(value, context, depth + 1);
      const direct = kids.filter((k) => k.depth === depth + 1);
      const inner = direct.some((k) => k.holds === false) ? false : direct.some((k) => k.holds === undefined) ? undefined : true;
      out.push({ depth, name: 'not', text: 'the condition below does not hold', holds: inner === undefined ? undefined : !inner }, ...kids);
    } else {
      const module = conditionModules.find((m) => m.name === name);
      if (!module) continue;
      const result = module.compile(value).evaluate(context);
      const m = result.measurements[0];
      out.push({
        depth,
        name,
        text: m ? m.text : `${name} ${written(value)}: ${result.reason ?? 'not measurable yet'}`,
        ...(m ? { value: m.value, op: m.op, threshold: m.threshold } : {}),
        holds: result.unknown ? undefined : result.matched,
        ...(result.unknown && result.reason !== undefined ? { reason: result.reason } : {}),
      });
    }
  }
  // Several keys in one map are all required: the engine reads them as `all`.
  return out;
}

/** A condition's value as written: `"> 300k" per 1m` for `{ tokens: "> 300k", per: 1m }`. */
function written(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return Object.entries(value)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
  return String(value);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `356,256 tokens (in 340,000 / out 16,256 / cache 0), $1.23, 42 calls`. */
export function usageText(u: NonNullable<SessionExplanation['usage']>): string {
  return `${formatCount(u.total)} tokens (in ${formatCount(u.input)} / out ${formatCount(u.output)} / cache ${formatCount(cacheTokens(u))}), ${formatMoney(u.cost)}, ${formatCount(u.calls)} calls${u.known ? '' : ' — not known yet'}`;
}
