import type { Config } from '../config/types.js';
import type { Decision, Hold, Mode, PolicyAction, SessionRef } from '../domain/decision.js';
import type { Policy } from '../policy/types.js';
import type { Session, UsageBaseline } from '../domain/session.js';
import type { ActionName, ActionRequest, ActionResult } from '../domain/action.js';
import type { Source } from '../sources/source.js';
import type { Journal } from '../state/journal.js';
import type { ActionRecord, StateStore } from '../state/store.js';
import type { ActionOutcomeRecord, EnforcementHooks } from './hooks.js';
import { countsTowardBlastRadius, traitsOf } from '../actions/index.js';
import { actionLimit, manualNeedsForce, protectionMatcher } from './safety.js';
import { holdsAbandoned, wroteSince } from '../policy/uses.js';
import { blastRadius, cascadeReason, stepsOf, targetVeto, type FleetView as PlanFleetView, type Step } from './plan.js';
import { markVerb, noticeOf, type Mark, type MarkEnd } from '../domain/mark.js';
import { formatDuration } from '../domain/units.js';

/** What the enforcer needs to know about the live fleet: planning's view plus a usage snapshot to journal. */
export interface FleetView extends PlanFleetView {
  // Narrowed: the enforcer calls the source it finds.
  readonly source: (name: string) => Source | undefined;
  /** The session generation's cumulative usage as the ledger holds it (a floor to restore after a crash). */
  usageSnapshot?(source: string, key: string, generation: string): UsageBaseline | undefined;
}

export interface EnforcerDeps {
  readonly state: StateStore;
  readonly journal: Journal;
  readonly fleet: FleetView;
  readonly hooks: EnforcementHooks;
  readonly now: () => number;
  readonly log: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void; info(o: object, msg?: string): void };
}

/** Why the batch was triggered, for blast radius and latency. */
export interface BatchContext {
  readonly trigger: 'sweep' | 'event' | 'resync' | 'timer';
  /** Epoch ms of the usage/lifecycle event that triggered it. */
  readonly eventAt?: number;
  /** Sessions the limit percentage refers to (the whole fleet). */
  readonly sessionsInScope: number;
  /**
   * Set when the decisions are everything an evaluation over the whole fleet concluded: the policies it evaluated
   * (without those that failed). A due mark of one of them whose decision is not among them is dropped: the policy no
   * longer matches. Event-driven evaluations of one agent leave it unset.
   */
  readonly evaluated?: ReadonlySet<string>;
}

export interface BatchReport {
  readonly decisions: number;
  readonly actions: number;
  readonly failed: number;
  readonly refused: boolean;
}

/** How a manual action was asked for. */
export interface ManualOptions {
  /** Origin: `api`, `cli` or `console` (journaled). */
  readonly by: string;
  readonly dryRun: boolean;
  readonly cleanup?: 'archive' | 'delete';
  /** Acts past protection or the blast-radius limit because the operator forced it (journaled). */
  readonly forced?: boolean;
}

type Item = Step;

/** A pending record is a call that was in flight when a previous process died: it is re-issued (platform calls are idempotent). */
const terminal = (record: ActionRecord | undefined): boolean => record !== undefined && record.status !== 'pending';

/**
 * Turns decisions into actions with every safety rule of DESIGN.md §5 in one place: idempotency per
 * (decision, action, target), blast radius, protection, capabilities, right generation, fail-safe on unknown usage,
 * dry-run, holds, episodes and cooldowns. One failing action never stops the rest.
 */
export class Enforcer {
  #config: Config;
  #policies = new Map<string, Policy>();
  #isProtected: (key: string) => boolean = () => false;

  constructor(
    config: Config,
    private readonly deps: EnforcerDeps,
  ) {
    this.#config = config;
    this.configure(config);
  }

  /** Swaps in a reloaded config (policies, safety, mode). */
  configure(config: Config): void {
    this.#config = config;
    this.#policies = new Map(config.policies.map((p) => [p.name, p]));
    this.#isProtected = protectionMatcher(config.safety.protect);
  }

  isProtected(key: string): boolean {
    return this.#isProtected(key);
  }

  /** Acts on a batch of decisions from one evaluation. Resolves when every step is durable. */
  async enforce(decisions: readonly Decision[], context: BatchContext): Promise<BatchReport> {
    const { state } = this.deps;
    if (context.evaluated && state.marks.size > 0) await this.#dropUnmatched(decisions, context.evaluated);
    const now = this.deps.now();
    // A decision whose only steps left are marks still running out their notice has nothing to do until they are due.
    // Each decision's steps are planned once per batch (a stop or kill walks the sub-agent tree).
    const live = new Map<Decision, Step[]>();
    for (const d of decisions) {
      if (this.#handled(d)) continue;
      const planned = stepsOf(d, this.deps.fleet);
      const steps = this.#live(planned, now);
      if (steps.length > 0) live.set(d, steps);
      else await this.#settle(d, planned);
    }
    const fresh = [...live.keys()];
    if (fresh.length === 0) return { decisions: 0, actions: 0, failed: 0, refused: false };
    const items = [...live.values()].flat();
    const refused = blastRadius(items, this.#config.safety.maxActionsPerSweep, context.sessionsInScope);
    if (refused) {
      await this.#refuseBatch(fresh, refused.planned, refused.limit, context);
      return { decisions: fresh.length, actions: 0, failed: 0, refused: true };
    }
    let actions = 0;
    let failed = 0;
    for (const decision of fresh) {
      try {
        const outcome = await this.#apply(decision, live.get(decision)!, context);
        actions += outcome.actions;
        failed += outcome.failed;
      } catch (error) {
        failed++;
        this.deps.log.error({ err: error, decision: decision.id }, 'enforcing a decision failed; continuing with the rest');
      }
    }
    return { decisions: fresh.length, actions, failed, refused: false };
  }

  /**
   * Finishes the decisions a previous process was applying when it died (recorded in state or the journal), for
   * targets in `source` once it is re-synced: the steps not yet done run now, the step is recorded, and its clock
   * counts from the original first action. No blast-radius re-count: they were counted when first decided.
   */
  async resumeInflight(source: string, sessionsInScope: number): Promise<number> {
    const { state } = this.deps;
    const mine = [...state.inflight.values()].filter((d) => d.targets.every((t) => t.source === source));
    let resumed = 0;
    for (const decision of mine) {
      if (this.#handled(decision)) {
        state.inflight.delete(decision.id);
        continue;
      }
      const planned = stepsOf(decision, this.deps.fleet);
      const items = this.#live(planned, this.deps.now());
      if (items.length === 0) {
        // Every action was taken but the process died before the step was recorded: record it now. Otherwise only
        // marks are left: they act when due, on the decision made then.
        if (!(await this.#settle(decision, planned))) state.inflight.delete(decision.id);
        continue;
      }
      try {
        await this.#apply(decision, items, { trigger: 'resync', sessionsInScope }, true);
        resumed++;
      } catch (error) {
        this.deps.log.error({ err: error, decision: decision.id }, 'resuming an interrupted decision failed');
      }
    }
    return resumed;
  }

  /** A manual action (API/CLI/console) on the current generation of a session: the enforcer's per-target checks, no policy. */
  async manual(action: ActionName, session: Session, options: ManualOptions): Promise<ActionOutcomeRecord> {
    const mode: Mode = options.dryRun ? 'dry-run' : 'enforce';
    const reason = `requested by ${options.by}${options.forced ? ' (forced)' : ''}`;
    const id = `manual|${options.by}|${session.source}|${session.key}|${session.generation}|${action}|${this.deps.now()}`;
    const record = await this.#execute(id, { action, cleanup: options.cleanup }, session, { mode, by: options.by, reason, ...(options.forced ? { forced: true } : {}) });
    return record;
  }

  /**
   * Manual actions on several sessions (a list of keys, a cleanup): protected sessions are refused and a batch past the
   * blast-radius limit is refused whole, unless `force`; every refusal says why. The one place manual safety is decided.
   */
  async manualBatch(action: ActionName, sessions: readonly Session[], options: ManualOptions & { readonly force: boolean; readonly sessionsInScope: number }): Promise<ActionOutcomeRecord[]> {
    const mode: Mode = options.dryRun ? 'dry-run' : 'enforce';
    const refuse = (session: Session, detail: string): ActionOutcomeRecord => ({ target: session, action, mode, by: options.by, status: 'refused', detail, reason: `requested by ${options.by}` });
    const guarded = manualNeedsForce(action);
    const allowed: Session[] = [];
    const out = new Map<Session, ActionOutcomeRecord>();
    for (const session of sessions) {
      if (guarded && !options.force && this.#isProtected(session.key)) {
        out.set(session, refuse(session, `session ${session.key} is protected (safety.protect); force the action (API "force": true, CLI --force, the console's confirmation) to act on it`));
      } else allowed.push(session);
    }
    const limit = actionLimit(this.#config.safety.maxActionsPerSweep, options.sessionsInScope);
    const counted = countsTowardBlastRadius(action);
    if (guarded && counted && !options.force && allowed.length > limit) {
      const detail = `${allowed.length} sessions exceed the blast-radius limit (safety.maxActionsPerSweep: ${limit} of ${options.sessionsInScope} sessions); nothing was done; force it to act on all of them`;
      if (!options.dryRun) await this.deps.journal.append({ type: 'refusal', action, by: options.by, reason: `manual ${action} refused: ${detail}` });
      for (const session of allowed) out.set(session, refuse(session, detail));
      return sessions.map((s) => out.get(s)!);
    }
    for (const session of allowed) {
      const forced = options.force && guarded && (this.#isProtected(session.key) || (counted && allowed.length > limit));
      out.set(session, await this.manual(action, session, { ...options, forced }));
    }
    return sessions.map((s) => out.get(s)!);
  }

  /** Aborts a run that started on a held main session, as soon as its start event arrives. */
  async enforceHold(session: Session, eventAt?: number): Promise<ActionOutcomeRecord | undefined> {
    const hold = this.deps.state.hold(session.source, session.key);
    if (!hold || hold.kind !== 'hold' || !session.active) return undefined;
    // A person came back to a session held as abandoned: the next evaluation releases the hold; their run goes on.
    if (wroteSince(hold, session) && holdsAbandoned(hold.policy === undefined ? undefined : this.#policies.get(hold.policy))) return undefined;
    const id = `hold|${session.source}|${session.key}|${session.generation}|${session.runStartedAt ?? eventAt ?? this.deps.now()}`;
    if (this.deps.state.actions.has(id)) return undefined;
    return this.#execute(id, { action: 'stop' }, session, {
      mode: 'enforce',
      by: hold.by,
      reason: `session is held (${hold.reason}); a run started on it was aborted`,
      eventAt,
      policy: hold.policy,
    });
  }

  /** The sessions marked for an action right now, soonest due first. */
  marks(): Mark[] {
    return [...this.deps.state.marks.values()].sort((a, b) => a.due - b.due || a.id.localeCompare(b.id));
  }

  /**
   * Cancels every mark on a session (an operator's undo): journaled with who asked, never acted on again for that
   * step. When that leaves the marking decision nothing to wait for, its step is recorded (so the ladder and the
   * cooldown go on from there) instead of marking the session again at the next evaluation.
   */
  async unmark(source: string, key: string, by: string): Promise<Mark[]> {
    const { state } = this.deps;
    const mine = [...state.marks.values()].filter((m) => m.target.source === source && m.target.key === key);
    for (const mark of mine) {
      state.marks.delete(mark.id);
      state.actions.set(mark.id, { status: 'cancelled', at: this.deps.now() });
      await this.#endMark(mark, 'cancelled', by, `mark cancelled by ${by}: would have ${this.#markText(mark)}`);
    }
    for (const decision of new Set(mine.map((m) => m.decision))) {
      const open = stepsOf(decision, this.deps.fleet).some((item) => !terminal(state.actions.get(item.id)));
      if (!open && !this.#handled(decision)) await this.#advance(decision, this.#policies.get(decision.policy), this.deps.now());
    }
    if (mine.length > 0) await state.commit();
    return mine;
  }

  /** When the earliest mark falls due (Infinity when there is none): the daemon's due-timer wakes for it. */
  nextMarkDue(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const mark of this.deps.state.marks.values()) if (mark.due < next) next = mark.due;
    return next;
  }

  /** Of a decision's planned steps, those still to take now: not yet terminal, and not a mark whose notice is still running. */
  #live(planned: readonly Step[], now: number): Step[] {
    const { state } = this.deps;
    return planned.filter((item) => {
      if (terminal(state.actions.get(item.id))) return false;
      const mark = state.marks.get(item.id);
      return mark === undefined || mark.due <= now;
    });
  }

  /**
   * Drops every mark whose policy is no longer loaded (a reload or a restart with another config removed or renamed
   * it): nothing could decide at its due time whether it still applies, so it never acts. Journaled, with `why`.
   */
  async dropMarksOfUnloadedPolicies(why: string): Promise<Mark[]> {
    const { state } = this.deps;
    const orphans = [...state.marks.values()].filter((mark) => !this.#policies.has(mark.decision.policy));
    for (const mark of orphans) {
      state.marks.delete(mark.id);
      state.actions.set(mark.id, { status: 'cancelled', at: this.deps.now() });
      await this.#endMark(mark, 'dropped', 'config', `mark dropped: policy ${mark.decision.policy} is no longer loaded (${why}); will not ${this.#markText(mark)}`);
    }
    if (orphans.length > 0) await state.commit();
    return orphans;
  }

  /**
   * Drops the due marks of evaluated policies whose decision was not made again: the policy no longer matches the
   * session. A mark on a source not re-synced, or on a session whose usage is not known, waits for an evaluation
   * that can tell.
   */
  async #dropUnmatched(decisions: readonly Decision[], evaluated: ReadonlySet<string>): Promise<void> {
    const { state, fleet } = this.deps;
    const now = this.deps.now();
    const made = new Set(decisions.map((d) => d.id));
    let dropped = 0;
    for (const mark of [...state.marks.values()]) {
      if (mark.due > now || made.has(mark.decision.id) || !evaluated.has(mark.decision.policy)) continue;
      const { source, key, generation } = mark.target;
      const current = fleet.session(source, key);
      if (!fleet.synced(source) || (current?.generation === generation && !fleet.usageKnown(source, key, generation))) continue;
      state.marks.delete(mark.id);
      const why = current === undefined ? 'the session is gone' : current.generation !== generation ? 'the session was reset since' : `policy ${mark.decision.policy} no longer matches it`;
      await this.#endMark(mark, 'dropped', 'policy', `mark dropped at its due time: ${why}; did not ${this.#markText(mark)}`);
      dropped++;
    }
    if (dropped > 0) await state.commit();
  }

  async #endMark(mark: Mark, end: MarkEnd, by: string, reason: string): Promise<void> {
    const t = mark.target;
    await this.deps.journal.append({
      type: 'mark',
      decision: mark.decision.id,
      policy: mark.decision.policy,
      source: t.source,
      session: t.key,
      generation: t.generation,
      agent: t.agent,
      action: mark.action.action,
      result: end,
      mode: mark.decision.mode,
      by,
      reason,
      item: mark.id,
    });
  }

  #markText(mark: Mark): string {
    return `${markVerb(mark.action)} ${mark.target.key} at ${new Date(mark.due).toISOString()}`;
  }

  #handled(decision: Decision): boolean {
    const { state } = this.deps;
    if (decision.kind === 'warn') return state.warned.has(decision.id);
    if (decision.kind === 'release') return state.hold(decision.targets[0]?.source ?? '', decision.targets[0]?.key ?? '') === undefined;
    const episode = state.episodes.get(decision.stateKey);
    return episode !== undefined && episode.episode === decision.episode && episode.stepDone >= decision.step;
  }

  /**
   * Records the step of a decision whose every action is already terminal but whose step was never recorded (a process
   * died between its last action and the step record, or the step record was lost). Without this the ladder stalls:
   * the decision is re-made at every evaluation, finds nothing left to do, and its next step never falls due. The
   * step's clock counts from its earliest recorded action. False when an action or a mark is still open.
   */
  async #settle(decision: Decision, steps: readonly Step[]): Promise<boolean> {
    const { state } = this.deps;
    if (steps.some((item) => !terminal(state.actions.get(item.id)))) return false;
    const firstAttempt = steps.reduce((at, item) => Math.min(at, state.actions.get(item.id)?.at ?? at), this.deps.now());
    this.deps.log.warn({ decision: decision.id }, 'recording the step of a decision whose actions were all taken before a restart');
    await this.#advance(decision, this.#policies.get(decision.policy), firstAttempt);
    await state.commit();
    return true;
  }

  async #apply(decision: Decision, items: readonly Item[], context: BatchContext, resumed = false): Promise<{ actions: number; failed: number }> {
    const { state, journal, hooks } = this.deps;
    const policy = this.#policies.get(decision.policy);
    const notifiers = notifyTargets(decision.actions);
    state.inflight.set(decision.id, decision);
    // An in-doubt call from a previous process keeps its time: the escalation clock counts from the first attempt.
    const firstAttempt = items.reduce((at, item) => Math.min(at, state.actions.get(item.id)?.at ?? at), this.deps.now());
    const only = decision.targets.length === 1 ? decision.targets[0] : undefined;
    const usage = only && decision.kind !== 'release' ? this.deps.fleet.usageSnapshot?.(only.source, only.key, only.generation) : undefined;
    // Marks falling due: the decision was announced when they were placed; it is journaled again as made now.
    const due = items.some((item) => state.marks.has(item.id));
    await journal.append({
      type: 'decision',
      decision: decision.id,
      policy: decision.policy,
      kind: decision.kind,
      mode: decision.mode,
      reason: `${resumed ? 'resumed after a restart: ' : ''}${due ? 'notice ran out and the policy still matches: ' : ''}${decision.subject}: ${decision.reason}`,
      measurements: decision.measurements,
      plan: {
        stateKey: decision.stateKey,
        scope: decision.scope,
        subject: decision.subject,
        step: decision.step,
        episode: decision.episode,
        actions: decision.actions,
        targets: decision.targets,
        ...(decision.window ? { window: decision.window } : {}),
      },
      ...(usage ? { usage } : {}),
      ...(decision.targets.length === 1 && decision.targets[0]
        ? { source: decision.targets[0].source, session: decision.targets[0].key, generation: decision.targets[0].generation, agent: decision.targets[0].agent }
        : {}),
    });
    if (!resumed && !due) hooks.decided(decision, notifiers);
    let actions = 0;
    let failed = 0;
    for (const item of items) {
      if (item.action.action === 'notify' || !item.target) {
        state.actions.set(item.id, { status: 'done', at: this.deps.now() });
        continue;
      }
      const mark = state.marks.get(item.id);
      // Only a violation's or an escalation's own actions are marked; a mark falling due acts.
      const notice = mark === undefined && (decision.kind === 'violation' || decision.kind === 'escalation') ? noticeOf(item.action) : undefined;
      const record = await this.#execute(item.id, { action: item.action.action, cleanup: item.action.action === 'cleanup' ? item.action.cleanup : undefined }, item.target, {
        mode: decision.mode,
        by: 'policy',
        reason: cascadeReason(item, decision.reason),
        eventAt: context.eventAt,
        decision,
        policy: decision.policy,
        allowProtected: policy?.allowProtected ?? false,
        notifiers,
        ...(notice !== undefined ? { notice: { ms: notice, action: item.action } } : {}),
        ...(item.cascade ? { cascade: true } : {}),
      });
      if (mark && terminal(state.actions.get(item.id))) state.marks.delete(item.id);
      if (record.status === 'marked') continue;
      actions++;
      if (record.status === 'failed') failed++;
    }
    if (state.marks.size > 0 && stepsOf(decision, this.deps.fleet).some((item) => state.marks.has(item.id))) {
      // Waiting on a notice: the step is recorded once its marks are acted on (or cancelled).
      state.inflight.delete(decision.id);
    } else await this.#advance(decision, policy, firstAttempt);
    await state.commit();
    return { actions, failed };
  }

  /**
   * Records the decision's step as done (episodes, cooldowns, warn de-dup) so it is never repeated, in state and in
   * the journal (from which state is rebuilt after a crash). Step 0's clock starts at its first action's attempt,
   * so a decision finished after a restart keeps the time it was first acted on.
   */
  async #advance(decision: Decision, policy: Policy | undefined, firstAttempt: number): Promise<void> {
    const { state, journal } = this.deps;
    const now = this.deps.now();
    state.inflight.delete(decision.id);
    if (decision.kind === 'release') return;
    if (decision.kind === 'warn') {
      state.warned.add(decision.id);
      await journal.append({ type: 'step', decision: decision.id, policy: decision.policy, kind: 'warn', reason: `warned once: ${decision.subject}` });
      return;
    }
    const previous = state.episodes.get(decision.stateKey);
    const firedAt = decision.step > 0 && previous ? previous.firedAt : Math.min(now, firstAttempt);
    const cooldown = policy?.cooldown;
    const crossing = decision.step > 0 && previous?.crossing !== undefined ? previous.crossing : decision.measurements.map((m) => m.text).join('; ') || undefined;
    const episode = {
      episode: decision.episode,
      firedAt,
      stepDone: decision.step,
      ...(cooldown !== undefined ? { cooldownUntil: now + cooldown } : {}),
      ...(crossing !== undefined ? { crossing } : {}),
    };
    state.episodes.set(decision.stateKey, episode);
    await journal.append({
      type: 'step',
      decision: decision.id,
      policy: decision.policy,
      kind: decision.kind,
      reason: `${decision.subject}: step ${decision.step} of policy ${decision.policy} recorded${decision.step < (policy?.escalate.length ?? 0) ? `; next step due ${new Date(firedAt + (policy?.escalate[decision.step]?.after ?? 0)).toISOString()}` : ''}`,
      episode: { stateKey: decision.stateKey, ...episode },
    });
  }

  /** Runs one action with every per-target check, journals it and reports it. Never throws. */
  async #execute(
    id: string,
    request: { action: ActionName; cleanup?: 'archive' | 'delete' | undefined },
    target: SessionRef | Session,
    meta: {
      mode: Mode;
      by: string;
      reason: string;
      eventAt?: number;
      decision?: Decision;
      policy?: string;
      allowProtected?: boolean;
      notifiers?: readonly string[] | 'all';
      forced?: boolean;
      cascade?: boolean;
      /** The action's notice: mark the session (after every safety check) instead of acting. */
      notice?: { readonly ms: number; readonly action: Exclude<PolicyAction, { action: 'notify' }> };
    },
  ): Promise<ActionOutcomeRecord> {
    const { state } = this.deps;
    const inDoubt = state.actions.get(id)?.status === 'pending';
    const finish = async (status: Exclude<ActionOutcomeRecord['status'], 'marked'>, detail: string, result?: ActionResult, due?: number): Promise<ActionOutcomeRecord> => {
      const at = this.deps.now();
      state.actions.set(id, { status, at });
      const hold = status === 'done' || status === 'noop' ? this.#recordHold(request.action, target, meta, result) : undefined;
      if (inDoubt) detail = `${detail} (re-issued: the previous process stopped during this call)`;
      const record: ActionOutcomeRecord = {
        ...(meta.decision ? { decision: meta.decision } : {}),
        ...(meta.policy ? { policy: meta.policy } : {}),
        target,
        action: request.action,
        mode: meta.mode,
        by: meta.by,
        status,
        detail,
        reason: meta.reason,
        ...(meta.eventAt !== undefined && (status === 'done' || status === 'noop') ? { latencyMs: (result?.at ?? at) - meta.eventAt } : {}),
        ...(meta.notifiers ? { notifiers: meta.notifiers } : {}),
        ...(due !== undefined ? { due } : {}),
      };
      await this.deps.journal.append({
        type: 'action',
        ...(meta.decision ? { decision: meta.decision.id } : {}),
        ...(meta.policy ? { policy: meta.policy } : {}),
        source: target.source,
        session: target.key,
        generation: target.generation,
        agent: target.agent,
        action: request.action,
        result: status,
        mode: meta.mode,
        by: meta.by,
        reason: meta.reason,
        detail,
        item: id,
        ...(hold ? { hold } : {}),
        ...(meta.forced ? { forced: true } : {}),
      });
      this.deps.hooks.acted(record);
      return record;
    };

    try {
      const veto = targetVeto(request.action, target, this.deps.fleet, {
        by: meta.by,
        step: meta.decision?.step ?? 0,
        ...(meta.allowProtected !== undefined ? { allowProtected: meta.allowProtected, isProtected: this.#isProtected } : {}),
        ...(meta.cascade ? { cascade: true } : {}),
      });
      if (veto) return await finish('refused', veto);
      const source = this.deps.fleet.source(target.source)!;
      if (meta.notice && meta.decision) {
        const markedAt = this.deps.now();
        const due = markedAt + meta.notice.ms;
        const text = `${describe(request)} ${target.key} at ${new Date(due).toISOString()} (${formatDuration(meta.notice.ms)} notice) if policy ${meta.decision.policy} still matches then`;
        if (meta.mode === 'dry-run') return await finish('would', `would mark ${target.key}: would ${text}`, undefined, due);
        return await this.#placeMark(id, meta.decision, meta.notice.action, target, { at: markedAt, due }, `will ${text}, unless unmarked (clawwarden sessions unmark ${target.key})`, meta.notifiers);
      }
      if (meta.mode === 'dry-run') return await finish('would', `would ${describe(request)} ${target.key}`);
      // The first attempt's time is kept: an in-doubt call re-issued after a restart still counts from it.
      state.actions.set(id, { status: 'pending', at: inDoubt ? (state.actions.get(id)?.at ?? this.deps.now()) : this.deps.now() });
      await state.commit();
      const call: ActionRequest = { action: request.action, key: target.key, generation: target.generation, ...(request.cleanup ? { cleanup: request.cleanup } : {}) };
      const result = await source.perform(call);
      return await finish(result.status, result.detail, result);
    } catch (error) {
      this.deps.log.error({ err: error, action: request.action, session: target.key }, 'action failed');
      try {
        return await finish('failed', (error as Error).message);
      } catch {
        return { target, action: request.action, mode: meta.mode, by: meta.by, status: 'failed', detail: (error as Error).message, reason: meta.reason };
      }
    }
  }

  /** Marks a session for an action after its notice: persisted and journaled before it is reported. */
  async #placeMark(
    id: string,
    decision: Decision,
    action: Exclude<PolicyAction, { action: 'notify' }>,
    target: SessionRef | Session,
    { at, due }: { readonly at: number; readonly due: number },
    detail: string,
    notifiers: readonly string[] | 'all' | undefined,
  ): Promise<ActionOutcomeRecord> {
    const { state } = this.deps;
    const ref: SessionRef = { source: target.source, key: target.key, generation: target.generation, agent: target.agent, main: target.main, active: target.active };
    const mark: Mark = { id, decision, action, target: ref, at, due, reason: decision.reason };
    await this.deps.journal.append({
      type: 'mark',
      decision: decision.id,
      policy: decision.policy,
      source: ref.source,
      session: ref.key,
      generation: ref.generation,
      agent: ref.agent,
      action: action.action,
      result: 'marked',
      mode: decision.mode,
      by: 'policy',
      reason: decision.reason,
      detail,
      item: id,
      mark,
    });
    state.marks.set(id, mark);
    await state.commit();
    const record: ActionOutcomeRecord = {
      decision,
      policy: decision.policy,
      target,
      action: action.action,
      mode: decision.mode,
      by: 'policy',
      status: 'marked',
      detail,
      reason: decision.reason,
      due,
      ...(notifiers ? { notifiers } : {}),
    };
    this.deps.hooks.acted(record);
    return record;
  }

  /** Places (pause, kill) or releases (resume) the hold an action leaves, as its `hold` trait says; returns the hold placed. */
  #recordHold(action: ActionName, target: SessionRef | Session, meta: { by: string; reason: string; policy?: string; decision?: Decision }, result?: ActionResult): Hold | undefined {
    const { state } = this.deps;
    const effect = traitsOf(action).hold;
    if (effect === 'releases') {
      state.releaseHold(target.source, target.key);
      return undefined;
    }
    if (effect !== 'places') return undefined;
    const policy = meta.policy ? this.#policies.get(meta.policy) : undefined;
    const hold: Hold = {
      source: target.source,
      key: target.key,
      generation: target.generation,
      agent: target.agent,
      kind: result?.hold || target.main ? 'hold' : 'archive',
      action,
      ...(meta.policy ? { policy: meta.policy } : {}),
      by: meta.by,
      reason: `${action}: ${meta.reason}`,
      at: this.deps.now(),
      ...(policy?.window && meta.decision?.window ? { until: meta.decision.window.end } : {}),
    };
    state.setHold(hold);
    return hold;
  }

  async #refuseBatch(decisions: readonly Decision[], planned: number, limit: number, context: BatchContext): Promise<void> {
    const policies = [...new Set(decisions.map((d) => d.policy))].join(', ');
    await this.deps.journal.append({
      type: 'refusal',
      reason: `blast radius: ${planned} actions planned in one ${context.trigger} exceed safety.maxActionsPerSweep (limit ${limit} of ${context.sessionsInScope} sessions); nothing was done`,
      detail: `policies: ${policies}`,
    });
    this.deps.hooks.refused(decisions, planned, limit, context.sessionsInScope);
  }
}

function notifyTargets(actions: readonly PolicyAction[]): readonly string[] | 'all' | undefined {
  const names = new Set<string>();
  for (const a of actions) {
    if (a.action !== 'notify') continue;
    if (a.notifiers === 'all') return 'all';
    for (const n of a.notifiers) names.add(n);
  }
  return names.size > 0 ? [...names] : undefined;
}

function describe(request: { action: ActionName; cleanup?: 'archive' | 'delete' | undefined }): string {
  return request.action === 'cleanup' ? `clean up (${request.cleanup ?? 'archive'})` : request.action;
}
