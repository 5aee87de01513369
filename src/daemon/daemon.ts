import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import { Enforcer } from '../enforcer/enforcer.js';
import { createEngine, type Engine } from '../engine/index.js';
import type { BudgetUse, Decision } from '../domain/decision.js';
import type { UsageRecord } from '../domain/session.js';
import type { GuardView } from '../guard/view.js';
import type { ManualAction } from '../actions/index.js';
import type { Source, SourceEvent } from '../sources/source.js';
import { Journal } from '../state/journal.js';
import { StateStore } from '../state/store.js';
import { LiveFleet } from './source-state.js';
import { LedgerFile } from '../ledger/file.js';
import { CallHistory } from '../replay/history-file.js';
import type { DaemonOutputs } from './outputs.js';
import { SerialQueue, SweepSchedule } from '../triggers/schedule.js';
import { DirtyAgents } from '../triggers/dirty.js';
import { DueTimer, nextEscalationDue } from '../triggers/due.js';
import { createSources } from './sources.js';
import { replayJournal, restoreUsage } from './recovery.js';
import { UsageWatch } from './usage-watch.js';
import { WardenViews } from './views.js';
import { ManualActions, type ManualRequest } from './manual.js';
import { PolicyFailures } from './policy-failures.js';
import { markView } from '../domain/mark.js';
import type { ActionOutcome, UnmarkOutcome, BoardSessionView, FleetOverview, ReadinessReport, SessionFilter, SpendQuery, SpendSeries, WardenUpdate, WardenView } from '../http/view.js';

export interface DaemonOptions {
  readonly log: Logger;
  readonly now?: () => number;
  /** Builds metrics + notifications for a config (replaced on reload). */
  readonly outputs: (config: Config, daemon: Daemon) => Promise<DaemonOutputs>;
  /** Ledger flush interval; default 10 s. The ledger is a cache of platform truth re-synced on start, so losing its tail is safe. */
  readonly ledgerFlushMs?: number;
  /**
   * Evaluate on every usage/lifecycle event (default true). False = schedule-only: policies are checked only on the
   * cron sweep (holds on main sessions are still enforced from events). Exists for the latency benchmark's comparison.
   */
  readonly eventDriven?: boolean;
  /**
   * The in-gateway guard channel: false from `admitUsage` means the guard's copy of that call was counted already;
   * `holdGraceMs` is how long a held session's new run is left to the guard's admission refusal before it is aborted here.
   */
  readonly guard?: { admitUsage(record: UsageRecord): boolean; holdGraceMs(source: string): number };
}

const RETENTION_MS = 35 * 24 * 3600_000;

/**
 * The running watchdog: keeps the live fleet in sync with every source, evaluates on a schedule and on every usage
 * or lifecycle event, enforces through the enforcer, and serves the WardenView the API and console read.
 */
export class Daemon implements WardenView {
  readonly #queue = new SerialQueue();
  readonly #listeners = new Set<(update: WardenUpdate) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  /** The three triggers of an evaluation besides a re-sync: the cron sweep, dirty agents, and due escalation steps. */
  readonly #sweep: SweepSchedule;
  readonly #dirty: DirtyAgents;
  readonly #escalations: DueTimer;
  readonly #views: WardenViews;
  #outputs!: DaemonOutputs;
  #lastSweepAt?: number;
  #lastAggregates: readonly BudgetUse[] = [];
  #flushTimer?: NodeJS.Timeout;
  #closed = false;
  #ledgerSaving: Promise<void> = Promise.resolve();
  readonly #usageWatch = new UsageWatch();
  readonly #refreshing = new Set<string>();
  readonly #failures: PolicyFailures;
  readonly #manual: ManualActions;
  /** One engine per config: it memoises matches and window sums across evaluations (sweeps and events alike). */
  #engine: Engine;

  private constructor(
    public config: Config,
    readonly fleet: LiveFleet,
    readonly state: StateStore,
    readonly audit: Journal,
    readonly enforcer: Enforcer,
    private readonly ledgerFile: LedgerFile,
    /** Every counted model call, for `replay --from state`. */
    private readonly history: CallHistory,
    private readonly options: DaemonOptions,
    private sources: Source[],
  ) {
    this.#sweep = new SweepSchedule(() => this.sweep());
    this.#dirty = new DirtyAgents(
      (job) => void this.#queue.run(job),
      (source, agent, eventAt) => this.#evaluate('event', { source, agent, eventAt }),
    );
    this.#escalations = new DueTimer(() => void this.#queue.run(() => this.#evaluate('timer')));
    this.#views = new WardenViews(this);
    this.#failures = new PolicyFailures({ log: options.log, journal: audit, outputs: () => this.#outputs });
    this.#manual = new ManualActions({ fleet, state, journal: audit, enforcer, now: () => this.now() });
    this.#engine = createEngine(config.policies);
  }

  get now(): () => number {
    return this.options.now ?? Date.now;
  }

  get log(): Logger {
    return this.options.log;
  }

  get outputs(): DaemonOutputs {
    return this.#outputs;
  }

  /** Opens state, connects every source, runs a first sync + sweep and starts the schedule. */
  static async start(config: Config, options: DaemonOptions): Promise<Daemon> {
    const now = options.now ?? Date.now;
    await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
    const journal = await Journal.open(config.stateDir, { ...config.journal, now });
    const { store, problem } = await StateStore.open(config.stateDir, now());
    store.followJournal(() => journal.lastSeq);
    const ledgerFile = new LedgerFile(config.stateDir);
    const loaded = await ledgerFile.load(now());
    for (const p of [problem, loaded.problem]) {
      if (!p) continue;
      options.log.error({ file: p.file, movedTo: p.movedTo }, p.message);
      await journal.append({ type: 'config', reason: p.message });
    }
    await replayJournal(store, journal, options.log);
    await restoreUsage(loaded.ledger, loaded.journalSeq, journal, options.log);
    const history = await CallHistory.open(join(config.stateDir, 'history'), {
      retentionMs: config.history.retentionMs,
      now,
      onError: (error) => options.log.error({ err: error }, 'writing the call history failed; replay --from state will show the gap'),
    });
    const fleet = new LiveFleet(loaded.ledger);
    const sources = createSources(config, { now, log: options.log });
    let daemon: Daemon | undefined;
    const enforcer = new Enforcer(config, {
      state: store,
      journal,
      fleet,
      now,
      log: options.log,
      hooks: {
        decided: (d, n) => daemon?.outputs.hooks.decided(d, n),
        acted: (o) => daemon?.outputs.hooks.acted(o),
        refused: (d, p, l, s) => daemon?.outputs.hooks.refused(d, p, l, s),
      },
    });
    daemon = new Daemon(config, fleet, store, journal, enforcer, ledgerFile, history, options, sources);
    await enforcer.dropMarksOfUnloadedPolicies(`started with ${config.file}`);
    daemon.#outputs = await options.outputs(config, daemon);
    const ready = daemon;
    journal.subscribe((entry) => ready.#emit({ type: 'journal', entry }));
    await journal.append({ type: 'config', reason: `started with ${config.file}: ${config.policies.length} policies, ${sources.length} sources, mode ${config.mode}` });
    await daemon.#connect(sources);
    daemon.#sweep.start(config.schedule);
    daemon.#flushTimer = setInterval(() => void daemon.flushLedger(), options.ledgerFlushMs ?? 10_000);
    daemon.#flushTimer.unref();
    return daemon;
  }

  /** Runs one full evaluation over every synced source and enforces its decisions. */
  sweep(): Promise<void> {
    return this.#queue.run(() => this.#evaluate('sweep'));
  }

  /** Swaps in a new, already validated config. Sources are restarted only if their config changed. */
  reload(config: Config): Promise<void> {
    return this.#queue.run(async () => {
      const sourcesChanged = JSON.stringify(sourceShape(config)) !== JSON.stringify(sourceShape(this.config));
      const previous = this.#outputs;
      this.config = config;
      this.#engine = createEngine(config.policies);
      this.enforcer.configure(config);
      await this.enforcer.dropMarksOfUnloadedPolicies(`reloaded ${config.file}`);
      this.history.retain(config.history.retentionMs);
      this.#outputs = await this.options.outputs(config, this);
      await previous.close();
      this.#sweep.start(config.schedule);
      if (sourcesChanged) {
        await this.#disconnect();
        this.sources = createSources(config, { now: this.now, log: this.log });
        await this.#connect(this.sources);
      }
      await this.audit.append({ type: 'config', reason: `reloaded ${config.file}: ${config.policies.length} policies, mode ${config.mode}${sourcesChanged ? ', sources restarted' : ''}` });
      await this.#evaluate('sweep');
    });
  }

  /** Finishes the job in flight, flushes state, and closes sources, outputs and journal. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sweep.stop();
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#escalations.cancel();
    await this.#queue.idle();
    await this.#disconnect();
    await this.history.close();
    await this.state.commit();
    await this.flushLedger();
    await this.audit.append({ type: 'config', reason: 'stopped' });
    await this.#outputs.close();
    await this.audit.close();
  }

  /** Saves the ledger if it changed; saves never overlap, so an older snapshot never lands after a newer one. */
  flushLedger(): Promise<void> {
    const next = this.#ledgerSaving.then(async () => {
      try {
        this.fleet.ledger.prune(this.now(), RETENTION_MS);
        await this.ledgerFile.save(this.fleet.ledger, this.audit.lastSeq);
      } catch (error) {
        this.log.error({ err: error }, 'saving the ledger failed; will retry');
      }
    });
    this.#ledgerSaving = next;
    return next;
  }

  /** Sessions whose usage is unknown right now, by source (the `clawwarden_sessions_usage_unknown` gauge). */
  usageUnknown(): Map<string, number> {
    return this.#usageWatch.counts();
  }

  // WardenView --------------------------------------------------------------------------------------------------

  readiness(): ReadinessReport {
    const guards = new Map((this.guard?.status() ?? []).map((g) => [g.source, g]));
    const sources = this.fleet.status().map(({ name, up, synced }) => {
      const g = guards.get(name);
      // The guard is reported, never a condition of readiness: the daemon enforces from outside without it.
      const guard = g
        ? {
            up: g.up,
            ...(g.compatible !== undefined ? { compatible: g.compatible } : {}),
            ...(g.gatewayVersion ? { gatewayVersion: g.gatewayVersion } : {}),
            ...(g.problem ? { problem: g.problem } : {}),
          }
        : undefined;
      return { name, up, synced, ...(guard ? { guard } : {}) };
    });
    return {
      ready: !this.#closed && sources.every((s) => s.up && s.synced),
      configLoaded: true,
      sources,
      demo: this.config.sources.length > 0 && this.config.sources.every((s) => s.type === 'demo'),
      ...(this.#lastSweepAt !== undefined ? { lastSweepAt: this.#lastSweepAt } : {}),
    };
  }

  mode(): Config['mode'] {
    return this.config.mode;
  }

  sessions(filter?: SessionFilter): BoardSessionView[] {
    return this.#views.board(filter);
  }

  session(key: string): ReturnType<WardenView['session']> {
    return this.#views.session(key);
  }

  policies(): ReturnType<WardenView['policies']> {
    return this.config.policies.map((p) => ({
      name: p.name,
      ...(p.description ? { description: p.description } : {}),
      scope: p.scope,
      mode: p.mode ?? this.config.mode,
      raw: p.raw,
    }));
  }

  journal(query: Parameters<WardenView['journal']>[0]): ReturnType<WardenView['journal']> {
    return this.audit.read(query);
  }

  act(action: ManualAction, keys: readonly string[], options: ManualRequest): Promise<ActionOutcome[]> {
    return this.#queue.run(async () => {
      const outcomes = await this.#manual.act(action, keys, options);
      this.#emit({ type: 'sessions', at: this.now() });
      return outcomes;
    });
  }

  unmark(key: string, by: string): Promise<UnmarkOutcome | undefined> {
    return this.#queue.run(async () => {
      const sources = new Set([
        ...this.fleet.find(key).map((s) => s.source),
        ...this.enforcer
          .marks()
          .filter((m) => m.target.key === key)
          .map((m) => m.target.source),
      ]);
      if (sources.size === 0) return undefined;
      const cancelled = [];
      for (const source of sources) cancelled.push(...(await this.enforcer.unmark(source, key, by)));
      this.#armEscalations();
      this.#emit({ type: 'sessions', at: this.now() });
      return { key, cancelled: cancelled.map(markView) };
    });
  }

  cleanup(options: Parameters<WardenView['cleanup']>[0]): Promise<ActionOutcome[]> {
    return this.#queue.run(async () => {
      const outcomes = await this.#manual.cleanup(options);
      this.#emit({ type: 'sessions', at: this.now() });
      return outcomes;
    });
  }

  subscribe(listener: (update: WardenUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Why each policy does or does not act on the session with this key, from the live state (views.ts). */
  explain(key: string, policy?: string): ReturnType<NonNullable<WardenView['explain']>> {
    return this.#views.explain(key, policy);
  }

  /** The console's spend chart: spend per agent and for the fleet over a range (views.ts). */
  spend(query: SpendQuery): Promise<SpendSeries> {
    return this.#views.spend(query);
  }

  /** The console's header and budget rows (views.ts). */
  overview(query: { readonly tz: string }): Promise<FleetOverview> {
    return this.#views.overview(query);
  }

  /** The engine of the running config (for budget bars). */
  get engine(): Engine {
    return this.#engine;
  }

  /** The in-gateway guards' status and verdicts (set by the composition root when `guard:` is configured). */
  guard?: GuardView;

  /** Usage the gateway's events do not carry (the in-gateway guard's reports), counted and evaluated like an event. */
  ingestUsage(record: UsageRecord): void {
    if (this.#closed) return;
    this.#count(record);
    this.#markDirty(record.source, record.agent, this.now());
  }

  /** The latest aggregate (agent/fleet) budget use, from the last evaluation. */
  aggregates(): readonly BudgetUse[] {
    return this.#lastAggregates;
  }

  // internals -----------------------------------------------------------------------------------------------

  async #connect(sources: readonly Source[]): Promise<void> {
    for (const source of sources) {
      this.fleet.add(source);
      this.#unsubscribe.push(source.subscribe((event) => this.#onEvent(source, event)));
    }
    await Promise.all(
      sources.map(async (source) => {
        try {
          await source.start();
        } catch (error) {
          // Unfixable by retrying (auth, missing admin scope): say so loudly and keep the rest running.
          this.log.error({ source: source.name, err: error }, `source ${source.name} cannot start: ${(error as Error).message}`);
          this.#outputs.sourceChanged(source.name, false, (error as Error).message);
          await this.audit.append({ type: 'source', source: source.name, reason: `cannot start: ${(error as Error).message}` });
        }
      }),
    );
    // Sources that came up during start() have queued their re-sync; wait for it so the first sweep sees them.
    await this.#queue.idle();
  }

  async #disconnect(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.all(this.sources.map((s) => s.close().catch((error: unknown) => this.log.warn({ err: error, source: s.name }, 'closing source failed'))));
    for (const s of this.sources) this.fleet.remove(s.name);
  }

  #onEvent(source: Source, event: SourceEvent): void {
    if (this.#closed) return;
    const at = this.now();
    switch (event.type) {
      case 'up':
        this.fleet.setUp(source.name, true);
        this.#outputs.sourceChanged(source.name, true);
        void this.#queue.run(() => this.#resync(source));
        return;
      case 'down':
        this.fleet.setUp(source.name, false);
        this.#outputs.sourceChanged(source.name, false, event.error);
        void this.audit.append({ type: 'source', source: source.name, reason: `down: ${event.error}` });
        return;
      case 'removed':
        this.fleet.delete(event.source, event.key);
        this.#emit({ type: 'sessions', at });
        return;
      case 'session': {
        const previous = this.fleet.upsert(event.session);
        const hold = this.state.hold(event.session.source, event.session.key);
        if (hold?.kind === 'hold' && event.session.active && !(previous?.active && previous.runStartedAt === event.session.runStartedAt)) {
          const enforce = (): void =>
            void this.#queue.run(async () => {
              await this.enforcer.enforceHold(this.fleet.session(event.session.source, event.session.key) ?? event.session, at);
            });
          const grace = this.options.guard?.holdGraceMs(event.session.source) ?? 0;
          if (grace > 0) setTimeout(enforce, grace).unref();
          else enforce();
        }
        this.#markDirty(event.session.source, event.session.agent, at);
        return;
      }
      case 'usage':
        if (event.session) this.fleet.upsert(event.session);
        if (this.options.guard?.admitUsage(event.record) !== false) this.#count(event.record);
        this.#markDirty(event.record.source, event.record.agent, at);
        return;
    }
  }

  /** Counts a model call in the ledger and, when it is a new one, records it in the call history with its session's facts. */
  #count(record: UsageRecord): void {
    if (!this.fleet.ledger.ingest(record)) return;
    const session = this.fleet.session(record.source, record.key);
    if (session?.generation === record.generation) this.history.session(session);
    this.history.record(record);
  }

  #markDirty(source: string, agent: string, at: number): void {
    if (this.options.eventDriven !== false) this.#dirty.mark(source, agent, at);
  }

  async #resync(source: Source): Promise<void> {
    try {
      const [sessions, baselines] = await Promise.all([source.inventory(), source.usage()]);
      for (const baseline of baselines) this.fleet.ledger.applyBaseline(baseline);
      // The picture is whole again: usage of this source can be trusted, including sessions created from now on.
      this.fleet.ledger.markKnown(source.name);
      this.fleet.replaceInventory(source.name, sessions);
      await this.audit.append({ type: 'source', source: source.name, reason: `synced: ${sessions.length} sessions` });
      // What a previous process was doing when it died is finished first, on its recorded decision.
      const resumed = await this.enforcer.resumeInflight(source.name, this.fleet.sessions().length);
      if (resumed > 0) this.log.warn({ source: source.name, resumed }, `finished ${resumed} decision(s) interrupted by the previous stop`);
      await this.#evaluate('resync');
    } catch (error) {
      this.log.warn({ source: source.name, err: error }, 're-sync failed; not acting on this source until it succeeds');
      setTimeout(() => {
        if (!this.#closed && this.fleet.up(source.name) && !this.fleet.synced(source.name)) void this.#queue.run(() => this.#resync(source));
      }, 2_000).unref();
    }
  }

  /**
   * Escalations and marks run on their own timer, armed for the earliest next step recorded in state or the earliest
   * mark's due time, so a step is taken (or a mark acted on or dropped) when due — not at the next cron sweep, with no
   * usage event needed — also after a restart.
   */
  #armEscalations(): void {
    if (this.#closed) return;
    this.#escalations.arm(Math.min(nextEscalationDue(this.config.policies, this.state.episodes), this.enforcer.nextMarkDue()), this.now());
  }

  async #evaluate(trigger: 'sweep' | 'event' | 'resync' | 'timer', scope?: { source: string; agent: string; eventAt: number }): Promise<void> {
    const started = performance.now();
    const allSessions = this.fleet.sessions();
    const sessions = scope ? this.fleet.agentSessions(scope.source, scope.agent) : allSessions;
    if (scope && sessions.length === 0) return;
    const policies = scope ? this.config.policies.filter((p) => p.scope !== 'fleet') : this.config.policies;
    let decisions: Decision[];
    let evaluated: Set<string> | undefined;
    try {
      const result = this.#engine.evaluate({ sessions, ledger: this.fleet.ledger, policies, state: this.state, now: this.now(), mode: this.config.mode });
      decisions = result.decisions;
      // A whole-fleet evaluation says which due marks' policies no longer match (those that failed cannot tell).
      if (!scope) evaluated = new Set(policies.map((p) => p.name).filter((name) => !result.errors.some((e) => e.policy === name)));
      if (!scope) this.#lastAggregates = result.aggregates;
      for (const note of result.notes) this.log.debug({ note }, 'evaluation note');
      await this.#failures.report(result.errors, !scope, this.now());
    } catch (error) {
      this.log.error({ err: error }, 'evaluation failed');
      return;
    }
    this.#outputs.evaluated((performance.now() - started) / 1000, trigger);
    try {
      const report = await this.enforcer.enforce(decisions, { trigger, sessionsInScope: allSessions.length, ...(scope ? { eventAt: scope.eventAt } : {}), ...(evaluated ? { evaluated } : {}) });
      // The usage behind an action is saved at once (not at the next periodic flush), so a restart starts from it.
      if (report.actions > 0) void this.flushLedger();
    } catch (error) {
      this.log.error({ err: error }, 'enforcement failed');
    }
    if (trigger === 'sweep') await this.#watchUsage();
    for (const decision of decisions) this.#emit({ type: 'decision', decision });
    if (decisions.length > 0 || trigger !== 'event') this.#armEscalations();
    if (trigger === 'sweep' || trigger === 'resync') {
      this.#lastSweepAt = this.now();
      this.#outputs.sweepSucceeded(this.#lastSweepAt);
    }
    this.#outputs.fleet(this.#views.sessions(), this.#lastAggregates);
    this.#emit({ type: 'sessions', at: this.now() });
  }

  /** Asks the platform again about sessions of unknown usage, and says so loudly when it stays unknown. */
  async #watchUsage(): Promise<void> {
    const report = this.#usageWatch.sweep(this.fleet.sessions(), this.fleet.ledger, this.now());
    for (const [name, keys] of report.refresh) void this.#refreshUsage(name, keys);
    for (const u of report.overdue) {
      const reason = `usage of ${u.key} (agent ${u.agent}) is still unknown after ${u.sweeps} sweeps since ${new Date(u.since).toISOString()}: policies that need usage are not evaluated on it; alerting instead of acting`;
      this.log.warn({ source: u.source, session: u.key, since: u.since }, reason);
      await this.audit.append({ type: 'refusal', source: u.source, session: u.key, generation: u.generation, agent: u.agent, reason });
      this.#outputs.usageUnknown?.(u);
    }
    for (const u of report.recovered) {
      const reason = `usage of ${u.key} is known again (was unknown since ${new Date(u.since).toISOString()})`;
      this.log.info({ source: u.source, session: u.key }, reason);
      await this.audit.append({ type: 'source', source: u.source, session: u.key, generation: u.generation, agent: u.agent, reason });
    }
  }

  /** One background re-ask per source at a time; the answer is applied in the queue and re-evaluates those agents. */
  async #refreshUsage(name: string, keys: readonly string[]): Promise<void> {
    const source = this.fleet.source(name);
    if (!source || this.#refreshing.has(name) || !this.fleet.synced(name)) return;
    this.#refreshing.add(name);
    try {
      const baselines = await source.usage(keys);
      await this.#queue.run(() => {
        const at = this.now();
        for (const b of baselines) {
          const live = this.fleet.session(b.source, b.key);
          if (!live || live.generation !== b.generation || !this.fleet.synced(b.source)) continue;
          this.fleet.ledger.applyBaseline(b);
          this.log.debug({ source: b.source, session: b.key }, 'usage re-established from the platform');
          this.#markDirty(b.source, b.agent, at);
        }
      });
    } catch (error) {
      this.log.debug({ source: name, err: error }, 'asking again for unknown usage failed; next sweep tries again');
    } finally {
      this.#refreshing.delete(name);
    }
  }

  #emit(update: WardenUpdate): void {
    for (const listener of this.#listeners) {
      try {
        listener(update);
      } catch (error) {
        this.log.warn({ err: error }, 'live-update listener failed');
      }
    }
  }
}

function sourceShape(config: Config): unknown {
  return config.sources.map((s) => ({ name: s.name, type: s.type, options: s.options }));
}
