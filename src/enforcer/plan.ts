import type { ActionLimit } from '../config/types.js';
import { countsTowardBlastRadius, needsKnownUsage, traitsOf, type ActionName } from '../actions/index.js';
import type { Decision, PolicyAction, SessionRef } from '../domain/decision.js';
import type { Session } from '../domain/session.js';
import type { Source } from '../sources/source.js';
import { actionLimit, protectionVeto } from './safety.js';

/** What planning needs to know about the live fleet (the daemon's, or a fleet read once by `check`). */
export interface FleetView {
  source(name: string): Pick<Source, 'type' | 'capabilities'> | undefined;
  /** Connected and re-synced since the last (re)connect: safe to act on. */
  synced(name: string): boolean;
  session(source: string, key: string): Session | undefined;
  usageKnown(source: string, key: string, generation: string): boolean;
  /** The sessions `key` spawned (their `parent` is `key`); absent when the view cannot tell (then nothing cascades). */
  children?(source: string, key: string): readonly Session[];
}

/**
 * A fleet read just now, for planning outside the daemon (`check`, explain): each of `sources` connected and
 * re-synced, the sessions read by key, usage known as the ledger says.
 */
export function fleetRead(
  sources: ReadonlyMap<string, Pick<Source, 'type' | 'capabilities'>>,
  sessions: readonly Session[],
  ledger: { session(source: string, key: string, generation: string): { readonly known: boolean } | undefined },
): FleetView {
  const byKey = new Map(sessions.map((s) => [`${s.source}\u0000${s.key}`, s]));
  return {
    source: (name) => sources.get(name),
    synced: (name) => sources.has(name),
    session: (source, key) => byKey.get(`${source}\u0000${key}`),
    usageKnown: (source, key, generation) => ledger.session(source, key, generation)?.known ?? false,
  };
}

/** One planned step: one action of one decision on one target (notify: once per decision, no target). */
export interface Step {
  /** The idempotency id: the same (decision, action, target) acts once, across restarts. */
  readonly id: string;
  readonly decision: Decision;
  readonly action: PolicyAction;
  readonly target?: SessionRef;
  /** Set on a step that reaches a session only because its parent is stopped or killed: that parent, and the decision's own target the cascade started from. */
  readonly cascade?: { readonly parent: string; readonly root: string };
}

/**
 * The steps of a decision, in the order its actions are written. With a fleet that knows who spawned what, an action
 * whose traits say it cascades (stop, kill) on a target is followed by the same action on every session it spawned, transitively (depth first, each once;
 * a session that is a target itself is not repeated). A cascaded step's id is the one a direct step on that session
 * would have, so it acts once however it is reached.
 */
export function stepsOf(decision: Decision, fleet?: Pick<FleetView, 'children'>): Step[] {
  const steps: Step[] = [];
  decision.actions.forEach((action, index) => {
    if (action.action === 'notify') {
      steps.push({ id: `${decision.id}|${index}|notify`, decision, action });
      return;
    }
    const idOf = (t: { source: string; key: string }): string => `${decision.id}|${index}|${t.source}|${t.key}`;
    const seen = new Set(decision.targets.map(idOf));
    for (const target of decision.targets) {
      steps.push({ id: idOf(target), decision, action, target });
      if (!traitsOf(action.action).cascades || !fleet?.children) continue;
      const walk = (parent: string): void => {
        for (const child of fleet.children!(target.source, parent)) {
          const id = idOf(child);
          if (seen.has(id)) continue;
          seen.add(id);
          steps.push({ id, decision, action, target: refOf(child), cascade: { parent, root: target.key } });
          walk(child.key);
        }
      };
      walk(target.key);
    }
  });
  return steps;
}

function refOf(session: Session): SessionRef {
  return { source: session.source, key: session.key, generation: session.generation, agent: session.agent, main: session.main, active: session.active };
}

/** The journal's reason for a cascaded step: which parent's stop or kill reached the session. */
export function cascadeReason(step: Pick<Step, 'cascade' | 'action'>, reason: string): string {
  if (!step.cascade) return reason;
  const done = step.action.action === 'kill' ? 'killed' : 'stopped';
  const via = step.cascade.parent === step.cascade.root ? '' : ` (cascade from ${step.cascade.root})`;
  return `because parent ${step.cascade.parent} was ${done}${via}: ${reason}`;
}

/** Steps that count toward the blast-radius limit: actions whose traits say so (not notifications, not resume) that would really be taken. */
export function countedSteps(steps: readonly Step[]): Step[] {
  return steps.filter((s) => s.action.action !== 'notify' && countsTowardBlastRadius(s.action.action) && s.decision.mode === 'enforce' && s.decision.kind !== 'release');
}

/** The blast-radius verdict for a batch: undefined when it may proceed, else the limit it exceeds. */
export function blastRadius(steps: readonly Step[], limits: readonly ActionLimit[], sessionsInScope: number): { planned: number; limit: number } | undefined {
  const planned = countedSteps(steps).length;
  const limit = actionLimit(limits, sessionsInScope);
  return planned > limit ? { planned, limit } : undefined;
}

/** Who asks for an action on one target, for the checks that depend on it. */
export interface Asker {
  /** `policy`, or the origin of a manual action. */
  readonly by: string;
  /** The decision's step (0 = its `do` list): an escalation acts on a crossing already recorded. */
  readonly step?: number;
  /** Protected sessions: the policy's allowProtected (policies), undefined for manual actions (checked before). */
  readonly allowProtected?: boolean;
  readonly isProtected?: (key: string) => boolean;
  /** The target is reached through its parent's stop or kill: the decision was taken on the parent's usage, not on its own. */
  readonly cascade?: boolean;
}

/**
 * Why one action on one target must not be taken now, or undefined when it may: the one authority for every
 * per-target safety rule (protection, capability, a synced source, the right generation, known usage). The daemon,
 * `check`, dry runs and replays all ask it.
 */
export function targetVeto(action: ActionName, target: SessionRef | Session, fleet: FleetView, asker: Asker): string | undefined {
  if (asker.allowProtected !== undefined && asker.isProtected?.(target.key)) {
    const veto = protectionVeto(action, asker.allowProtected);
    if (veto) return veto;
  }
  const source = fleet.source(target.source);
  if (!source) return `source "${target.source}" is not configured`;
  if (!source.capabilities.has(action)) return `source "${target.source}" (${source.type}) cannot ${action}`;
  if (!fleet.synced(target.source)) return `source "${target.source}" is down or not yet re-synced; not acting on a partial picture`;
  const current = fleet.session(target.source, target.key);
  // Releasing a hold still makes sense on a session that is gone; nothing else does.
  if (!current && traitsOf(action).hold !== 'releases') return `session ${target.key} no longer exists`;
  if (current && current.generation !== target.generation) {
    return `session ${target.key} was reset since the decision (generation ${short(target.generation)} → ${short(current.generation)}); it will be re-evaluated, not hit`;
  }
  // An escalation step acts on a crossing already decided and recorded: unknown usage since then never blocks it.
  // A cascaded target is acted on for its parent's measured usage: its own not being known yet never shields it.
  const recorded = (asker.step ?? 0) > 0 || asker.cascade === true;
  if (needsKnownUsage(action) && asker.by === 'policy' && !recorded && !fleet.usageKnown(target.source, target.key, target.generation)) {
    return `usage of ${target.key} is not known yet (stale or missing); not acting on it`;
  }
  return undefined;
}

/** One planned step with the verdict the enforcer would reach on it. */
export interface PlannedStep extends Step {
  /** `act` (would be taken; `would` in a dry run), or `refused` with the reason. */
  readonly verdict: 'act' | 'would' | 'refused';
  readonly reason?: string;
}

/**
 * What the enforcer would do with a batch of decisions, without doing it: the blast-radius limit over the batch,
 * then every step's per-target verdict. `check` prints this; the enforcer acts on exactly these rules.
 */
export function planBatch(
  decisions: readonly Decision[],
  context: {
    readonly fleet: FleetView;
    readonly limits: readonly ActionLimit[];
    readonly sessionsInScope: number;
    readonly isProtected: (key: string) => boolean;
    readonly allowProtected: (policy: string) => boolean;
  },
): { readonly steps: PlannedStep[]; readonly blastRadius?: { planned: number; limit: number } } {
  const steps = decisions.flatMap((d) => stepsOf(d, context.fleet));
  const refusedWhole = blastRadius(steps, context.limits, context.sessionsInScope);
  const planned = steps.map((step): PlannedStep => {
    if (step.action.action === 'notify' || !step.target) return { ...step, verdict: 'act' };
    if (refusedWhole && step.decision.mode === 'enforce' && step.decision.kind !== 'release') {
      return { ...step, verdict: 'refused', reason: `blast radius: ${refusedWhole.planned} actions exceed safety.maxActionsPerSweep (${refusedWhole.limit})` };
    }
    const reason = targetVeto(step.action.action, step.target, context.fleet, {
      by: 'policy',
      step: step.decision.step,
      allowProtected: context.allowProtected(step.decision.policy),
      isProtected: context.isProtected,
      ...(step.cascade ? { cascade: true } : {}),
    });
    if (reason) return { ...step, verdict: 'refused', reason };
    return { ...step, verdict: step.decision.mode === 'dry-run' ? 'would' : 'act' };
  });
  return { steps: planned, ...(refusedWhole ? { blastRadius: refusedWhole } : {}) };
}

function short(generation: string): string {
  return generation.length > 8 ? generation.slice(0, 8) : generation;
}
