import type { Session } from '../domain/session.js';
import type { Policy } from '../policy/types.js';
import type { ConditionContext } from '../conditions/types.js';
import type { Decision, EngineState, Measurement, Mode, PolicyAction, Scope, SessionRef } from '../domain/decision.js';
import { formatDuration, formatPercent } from '../domain/units.js';

/** One policy+target the condition holds for (or nearly does), everything needed to decide and explain. */
export interface Subject {
  readonly policy: Policy;
  readonly scope: Scope;
  readonly subject: string;
  readonly stateKey: string;
  /** The sessions a decision would act on; computed only when a decision is made. */
  readonly members: () => readonly Session[];
  readonly context: ConditionContext;
  readonly window?: { readonly start: number; readonly end: number };
  /** What was measured when it is more than the subject itself (`tree: true`: "with the 3 sessions it spawned"). */
  readonly measuredOver?: string;
}

/** The evaluation-wide inputs decisions depend on. */
export interface Situation {
  readonly state: EngineState;
  readonly now: number;
  readonly mode: Mode;
}

/** A session as a decision target. */
export function refOf(s: Session): SessionRef {
  return { source: s.source, key: s.key, generation: s.generation, agent: s.agent, main: s.main, active: s.active };
}

/** The policy's own notify actions, or notify everyone when it has none (for warnings). */
export function warnActions(policy: Policy): PolicyAction[] {
  const own = policy.actions.filter((a) => a.action === 'notify');
  return own.length > 0 ? own : [{ action: 'notify', notifiers: 'all' }];
}

function texts(measurements: readonly Measurement[]): string {
  return measurements.map((m) => m.text).join('; ');
}

function decision(
  s: Subject,
  at: Situation,
  kind: Decision['kind'],
  id: string,
  step: number,
  episode: number,
  actions: readonly PolicyAction[],
  reason: string,
  measurements: readonly Measurement[],
): Decision {
  return {
    id,
    policy: s.policy.name,
    kind,
    scope: s.scope,
    subject: s.subject,
    stateKey: s.stateKey,
    targets: s.members().map(refOf),
    step,
    episode,
    actions,
    reason,
    measurements,
    mode: s.policy.mode ?? at.mode,
    ...(s.window ? { window: s.window } : {}),
  };
}

/**
 * The condition holds for this subject: step 0 of a new episode (first time, or after the cooldown), or the
 * next escalation step once its `after` has passed (and, with `if: active`, a target is still running).
 */
export function decideViolation(s: Subject, at: Situation): Decision | undefined {
  const { policy } = s;
  const episode = at.state.episodes.get(s.stateKey);
  let step = 0;
  let number = 1;
  if (episode) {
    const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
    if (cooldownUntil !== undefined && at.now >= cooldownUntil) {
      number = episode.episode + 1;
    } else {
      step = episode.stepDone + 1;
      number = episode.episode;
      const next = policy.escalate[step - 1];
      if (!next || at.now < episode.firedAt + next.after) return undefined;
      if (next.ifActive && !s.members().some((t) => t.active)) return undefined;
    }
  }
  const result = policy.condition.evaluate(s.context);
  const measured = `${texts(result.measurements)}${s.measuredOver ? ` ${s.measuredOver}` : ''}`;
  const actions = step === 0 ? policy.actions : policy.escalate[step - 1]!.actions;
  const why =
    step === 0
      ? `${measured} (policy ${policy.name})`
      : `${measured}; still so ${formatDuration(policy.escalate[step - 1]!.after)} after the first action${policy.escalate[step - 1]!.ifActive ? ' and still active' : ''} (policy ${policy.name}, step ${step})`;
  return decision(s, at, step === 0 ? 'violation' : 'escalation', `${s.stateKey}|e${number}|s${step}`, step, number, actions, why, result.measurements);
}

/**
 * The usage of a subject is unknown (e.g. after a restart, before the platform re-reported it) but its crossing was
 * already decided and recorded: the next escalation step still runs on its own timer. Only the step's own `if:` is
 * re-checked; a new episode (after a cooldown) never starts on unknown usage.
 */
export function decideRecordedEscalation(s: Subject, at: Situation): Decision | undefined {
  const { policy } = s;
  const episode = at.state.episodes.get(s.stateKey);
  if (!episode) return undefined;
  const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
  if (cooldownUntil !== undefined && at.now >= cooldownUntil) return undefined;
  const step = episode.stepDone + 1;
  const next = policy.escalate[step - 1];
  if (!next || at.now < episode.firedAt + next.after) return undefined;
  if (next.ifActive && !s.members().some((t) => t.active)) return undefined;
  const crossing = episode.crossing ?? 'the condition held';
  const why = `${crossing} at ${new Date(episode.firedAt).toISOString()} (recorded); usage not re-established since, escalating on the recorded crossing ${formatDuration(next.after)} after the first action${next.ifActive ? ' and still active' : ''} (policy ${policy.name}, step ${step})`;
  return decision(s, at, 'escalation', `${s.stateKey}|e${episode.episode}|s${step}`, step, episode.episode, next.actions, why, []);
}

/** The soft budget was reached (ratio ≥ warn) before the condition: warn once per subject (and window). */
export function decideWarn(s: Subject, at: Situation, ratio: number): Decision | undefined {
  const { policy } = s;
  if (policy.warn === undefined || ratio < policy.warn || at.state.episodes.has(s.stateKey)) return undefined;
  const id = `${s.stateKey}|warn`;
  if (at.state.warned.has(id)) return undefined;
  const measurements = policy.condition.evaluate(s.context).measurements.filter((m) => m.ratio !== undefined);
  const reason = `${texts(measurements)} — ${formatPercent(ratio)} of the budget, warning at ${formatPercent(policy.warn)} (policy ${policy.name})`;
  return decision(s, at, 'warn', id, 0, 0, warnActions(policy), reason, measurements);
}
