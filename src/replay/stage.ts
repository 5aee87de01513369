import type { Config } from '../config/types.js';
import { Enforcer, type BatchContext, type FleetView } from '../enforcer/enforcer.js';
import type { ActionOutcomeRecord, EnforcementHooks } from '../enforcer/hooks.js';
import { createEngine, type Engine } from '../engine/index.js';
import type { Decision, EvaluationResult, PolicyError } from '../engine/types.js';
import { Ledger } from '../ledger/ledger.js';
import type { Policy } from '../policy/types.js';
import { sourceModules } from '../sources/index.js';
import type { ActionName, ActionRequest, ActionResult, Session, Source, SourceEvent, UsageBaseline, UsageRecord } from '../sources/source.js';
import { ACTION_NAMES } from '../domain/action.js';
import { SpawnIndex } from '../domain/spawn-index.js';
import type { Journal } from '../state/journal.js';
import type { StateStore } from '../state/store.js';
import { MemoryJournal, MemoryState } from './memory.js';

/** What a simulated source was asked to do, with the stage's clock at that moment. */
export interface PerformedAction {
  readonly at: number;
  readonly source: string;
  readonly request: ActionRequest;
  readonly result: ActionResult;
  /** The session as it was just before the action. */
  readonly before: Session;
}

/** One evaluation and what the enforcer made of it. */
export interface Batch {
  readonly at: number;
  readonly trigger: BatchContext['trigger'];
  readonly decisions: readonly Decision[];
  /** Decisions the enforcer acted on (new ones; a decision already handled is not repeated). */
  readonly decided: readonly Decision[];
  /** Every action outcome, in order, as the enforcer reported it (done, noop, would, skipped, refused, failed). */
  readonly outcomes: readonly ActionOutcomeRecord[];
  /** Set when the blast-radius limit refused the whole batch. */
  readonly refused?: { readonly decisions: readonly Decision[]; readonly planned: number; readonly limit: number; readonly sessionsInScope: number };
  readonly notes: readonly string[];
  readonly errors: readonly PolicyError[];
}

export interface StageOptions {
  readonly config: Config;
  /** Epoch ms the clock starts at. */
  readonly now: number;
  /** Called after a simulated source carried out an action (the replay suppresses the history it prevents). */
  readonly onPerform?: (performed: PerformedAction) => void;
  /** Keep at most this many journal entries in memory (default: all). */
  readonly journalLimit?: number;
}

/** The capabilities of a configured source type (all actions for a type clawwarden does not know). */
function capabilitiesOf(type: string): ReadonlySet<ActionName> {
  const module = sourceModules.find((m) => m.name === type);
  return new Set(module ? module.capabilities : ACTION_NAMES);
}

const sessionId = (source: string, key: string): string => `${source}\u0000${key}`;

/**
 * A fleet in memory with a clock the caller moves, decided on by the daemon's own parts: the persistent engine over
 * the configured policies and the real Enforcer (idempotency, episodes, escalation ladders, cooldowns, blast radius,
 * protection, fail-safe on unknown usage, dry-run), acting on simulated sources that carry actions out on the
 * in-memory sessions and record them. Policy tests and replay both run on it, so they decide as the daemon would.
 */
export class Stage {
  readonly ledger = new Ledger();
  readonly state = new MemoryState();
  readonly journal: MemoryJournal;
  readonly engine: Engine;
  readonly enforcer: Enforcer;
  readonly config: Config;
  readonly performed: PerformedAction[] = [];
  readonly #sessions = new Map<string, Session>();
  /** Who spawned whom, by stage id. */
  readonly #spawned = new SpawnIndex();
  readonly #sources = new Map<string, SimulatedSource>();
  readonly #onPerform: ((performed: PerformedAction) => void) | undefined;
  #now: number;
  #batch: { decided: Decision[]; outcomes: ActionOutcomeRecord[]; refused?: Batch['refused'] } | undefined;

  constructor(options: StageOptions) {
    this.config = options.config;
    this.#now = options.now;
    this.#onPerform = options.onPerform;
    this.journal = new MemoryJournal(() => this.#now, options.journalLimit);
    for (const entry of options.config.sources) this.#sources.set(entry.name, new SimulatedSource(entry.name, entry.type, capabilitiesOf(entry.type), this));
    this.engine = createEngine(options.config.policies);
    const hooks: EnforcementHooks = {
      decided: (decision) => this.#batch?.decided.push(decision),
      acted: (outcome) => {
        this.#batch?.outcomes.push(outcome);
        // A mark falling due acts on a decision announced when it was marked: it is in this batch all the same.
        if (outcome.decision && this.#batch && !this.#batch.decided.includes(outcome.decision)) this.#batch.decided.push(outcome.decision);
      },
      refused: (decisions, planned, limit, sessionsInScope) => {
        if (this.#batch) this.#batch.refused = { decisions, planned, limit, sessionsInScope };
      },
    };
    this.enforcer = new Enforcer(options.config, {
      // The enforcer is typed against the daemon's file-backed StateStore and Journal; it uses only the members of
      // EnforcerState and EnforcerJournal (see memory.ts), which the in-memory ones implement and the compiler checks there.
      state: this.state as unknown as StateStore,
      journal: this.journal as unknown as Journal,
      fleet: this.#fleetView(),
      hooks,
      now: () => this.#now,
      log: { warn: () => undefined, error: () => undefined, info: () => undefined },
    });
  }

  /** The stage's clock, epoch ms. */
  get now(): number {
    return this.#now;
  }

  /** Moves the clock (never backwards: history is replayed in time order). */
  advance(to: number): void {
    if (to > this.#now) this.#now = to;
  }

  /** The session now, by source and key. */
  session(source: string, key: string): Session | undefined {
    return this.#sessions.get(sessionId(source, key));
  }

  /** The session by its stage id (`Stage.id(source, key)`, computed once by a caller that asks often). */
  sessionById(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** The id the stage keeps a session under. */
  static id(source: string, key: string): string {
    return sessionId(source, key);
  }

  /** Every session in the order they appeared. */
  sessions(): Session[] {
    return [...this.#sessions.values()];
  }

  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Adds or replaces a session (a new object each time: the engine remembers sessions by identity). A generation the
   * ledger does not know yet starts known at zero, as after the daemon's sync, unless `usageKnown` is false.
   */
  put(session: Session, options: { readonly usageKnown?: boolean } = {}): Session {
    const id = sessionId(session.source, session.key);
    this.#sessions.set(id, session);
    this.#spawned.set(id, session.parent === undefined ? undefined : sessionId(session.source, session.parent));
    if (options.usageKnown !== false && !this.ledger.session(session.source, session.key, session.generation)) {
      this.ledger.applyBaseline({ source: session.source, key: session.key, generation: session.generation, agent: session.agent, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 });
    }
    return session;
  }

  remove(source: string, key: string): void {
    const id = sessionId(source, key);
    this.#sessions.delete(id);
    this.#spawned.delete(id);
  }

  /** Counts one model call in the ledger; false when it was already counted. */
  call(record: UsageRecord): boolean {
    return this.ledger.ingest(record);
  }

  /** Applies a platform-reported cumulative total (counts what the calls do not already). */
  baseline(baseline: UsageBaseline): void {
    this.ledger.applyBaseline(baseline);
  }

  /**
   * One evaluation of `sessions` against `policies` (the engine's list or an in-order part of it) at the current clock,
   * enforced as one batch, exactly as the daemon's sweep, event or timer evaluation does.
   */
  async evaluate(options: { trigger: BatchContext['trigger']; sessions?: readonly Session[]; policies?: readonly Policy[]; eventAt?: number; sessionsInScope?: number }): Promise<Batch> {
    const result = this.decide(options);
    // A whole-fleet evaluation tells which marks fell due on a policy that no longer matches.
    const whole = options.sessions === undefined && options.policies === undefined;
    const failed = new Set(result.errors.map((e) => e.policy));
    const evaluated = whole ? new Set(this.config.policies.map((p) => p.name).filter((n) => !failed.has(n))) : undefined;
    return this.enforce(result.decisions, { ...options, ...(evaluated ? { evaluated } : {}) }, { notes: result.notes, errors: result.errors });
  }

  /** The engine's decisions for `sessions` (default all) against `policies` (default all) at the clock; nothing is enforced. */
  decide(options: { sessions?: readonly Session[]; policies?: readonly Policy[] } = {}): EvaluationResult {
    const sessions = options.sessions ?? this.sessions();
    const policies = options.policies ?? this.config.policies;
    const state = options.sessions ? this.state.viewFor(sessions) : this.state;
    return this.engine.evaluate({ sessions, ledger: this.ledger, policies, state, now: this.#now, mode: this.config.mode });
  }

  /** Hands decisions to the enforcer as one batch and reports what it did. */
  async enforce(
    decisions: readonly Decision[],
    options: { trigger: BatchContext['trigger']; eventAt?: number; sessionsInScope?: number; evaluated?: ReadonlySet<string> },
    extra: { notes?: readonly string[]; errors?: readonly PolicyError[] } = {},
  ): Promise<Batch> {
    const batch: { decided: Decision[]; outcomes: ActionOutcomeRecord[]; refused?: Batch['refused'] } = { decided: [], outcomes: [] };
    this.#batch = batch;
    try {
      if (decisions.length > 0 || (options.evaluated !== undefined && this.state.marks.size > 0)) {
        await this.enforcer.enforce(decisions, {
          trigger: options.trigger,
          sessionsInScope: options.sessionsInScope ?? this.#sessions.size,
          ...(options.eventAt !== undefined ? { eventAt: options.eventAt } : {}),
          ...(options.evaluated !== undefined ? { evaluated: options.evaluated } : {}),
        });
      }
    } finally {
      this.#batch = undefined;
    }
    return {
      at: this.#now,
      trigger: options.trigger,
      decisions,
      decided: batch.decided,
      outcomes: batch.outcomes,
      ...(batch.refused ? { refused: batch.refused } : {}),
      notes: extra.notes ?? [],
      errors: extra.errors ?? [],
    };
  }

  /** A run started on a session clawwarden holds: the daemon aborts it at once; so does the stage. */
  async enforceHold(session: Session): Promise<ActionOutcomeRecord | undefined> {
    return this.enforcer.enforceHold(session, this.#now);
  }

  /** Carries out an action on the in-memory session, as the platform would (OpenClaw semantics). */
  perform(source: string, request: ActionRequest): ActionResult {
    const before = this.session(source, request.key);
    const at = this.#now;
    let result: ActionResult;
    if (!before) result = { status: 'refused', detail: `no session ${request.key}` };
    else result = this.#apply(before, request);
    if (before) {
      const performed: PerformedAction = { at, source, request, result, before };
      this.performed.push(performed);
      this.#onPerform?.(performed);
    }
    return result;
  }

  #apply(s: Session, request: ActionRequest): ActionResult {
    const at = this.#now;
    const idle = (extra: Partial<Session>): Session => this.put(withoutRun({ ...s, ...extra, active: false }));
    switch (request.action) {
      case 'stop':
        if (!s.active) return { status: 'noop', detail: 'no-active-run', at };
        idle({});
        return { status: 'done', detail: 'aborted', at };
      case 'kill':
      case 'pause':
        // Main sessions cannot be archived: the platform only aborts the run and clawwarden holds the session.
        if (s.main) {
          idle({});
          return { status: 'done', detail: 'held (main session)', hold: true, at };
        }
        idle({ archived: true });
        return { status: 'done', detail: 'archived', at };
      case 'resume':
        if (!s.archived) return { status: 'noop', detail: 'not archived', at };
        this.put({ ...s, archived: false });
        return { status: 'done', detail: 'restored', at };
      case 'cleanup':
        if (s.main) return { status: 'refused', detail: 'main sessions cannot be archived or deleted', at };
        if (request.cleanup === 'delete') {
          this.remove(s.source, s.key);
          return { status: 'done', detail: 'deleted', at };
        }
        idle({ archived: true });
        return { status: 'done', detail: 'archived', at };
      case 'compact':
        return { status: 'done', detail: 'compacted', at };
    }
  }

  #fleetView(): FleetView {
    return {
      source: (name) => this.#sources.get(name),
      synced: (name) => this.#sources.has(name),
      session: (source, key) => this.session(source, key),
      usageKnown: (source, key, generation) => this.ledger.session(source, key, generation)?.known ?? false,
      children: (source, key) => this.#spawned.childrenOf(sessionId(source, key)).flatMap((id) => this.#sessions.get(id) ?? []),
      usageSnapshot: () => undefined,
    };
  }
}

function withoutRun(s: Session): Session {
  const { runStartedAt: _, ...rest } = s;
  return rest;
}

/** A configured source, simulated: it carries actions out on the stage's sessions and never connects anywhere. */
class SimulatedSource implements Source {
  constructor(
    readonly name: string,
    readonly type: string,
    readonly capabilities: ReadonlySet<ActionName>,
    private readonly stage: Stage,
  ) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  isUp(): boolean {
    return true;
  }

  inventory(): Promise<Session[]> {
    return Promise.resolve(this.stage.sessions().filter((s) => s.source === this.name));
  }

  usage(): Promise<UsageBaseline[]> {
    return Promise.resolve([]);
  }

  subscribe(_listener: (event: SourceEvent) => void): () => void {
    return () => undefined;
  }

  perform(request: ActionRequest): Promise<ActionResult> {
    return Promise.resolve(this.stage.perform(this.name, request));
  }
}
