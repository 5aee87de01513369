import type { Session } from '../domain/session.js';
import { totalTokens } from '../domain/session.js';
import { sessionState } from '../domain/session-view.js';
import { manualActionsIn } from '../actions/index.js';
import type { Engine } from '../engine/index.js';
import { LedgerSums } from '../engine/sums.js';
import type { Config } from '../config/types.js';
import type { Journal } from '../state/journal.js';
import type { StateStore } from '../state/store.js';
import type { LiveFleet } from './source-state.js';
import type { BoardSessionView, FleetOverview, ReadinessReport, SessionFilter, SessionView, SpendQuery, SpendSeries, WardenView } from '../http/view.js';
import { explainSession, type SessionExplanation } from '../explain/explain.js';
import { boardExtras, ConsoleJournal, recentCalls } from './console-data.js';
import { overview, spendSeries } from './spend.js';
import { markView, type Mark } from '../domain/mark.js';

/** What the views are built from: the daemon's live fleet, its enforcement memory and its engine. */
export interface ViewInputs {
  readonly fleet: LiveFleet;
  readonly state: StateStore;
  readonly enforcer: { isProtected(key: string): boolean; marks(): readonly Mark[] };
  readonly engine: Engine;
  readonly now: () => number;
  /** For the console's data (board, spend, overview): the journal, the running config and the readiness report. */
  readonly audit: Journal;
  readonly config: Config;
  readiness(): ReadinessReport;
}

/** Builds the API/console views of sessions from the daemon's fleet, ledger, holds and policies. */
export class WardenViews {
  /** The console's memory of the journal (it follows the journal from the start; earlier runs are read on first use). */
  readonly #journal: ConsoleJournal;
  /** The console's window sums, made when it first asks. */
  #sums?: LedgerSums;

  constructor(private readonly daemon: ViewInputs) {
    this.#journal = new ConsoleJournal(daemon.audit);
  }

  /** The console's journal index; its first use reads the entries of earlier runs once. */
  consoleJournal(): ConsoleJournal {
    return this.#journal;
  }

  /** `sessions` with the console's extras: each policy's own verdict, the last action's note, the ladder, recent spend. */
  board(filter: SessionFilter = {}): BoardSessionView[] {
    const journal = this.consoleJournal();
    void journal.ready();
    return this.sessions(filter).map((view) => boardExtras(view, this.daemon, journal));
  }

  /** Spend per agent and fleet over a range (see SpendSeries), after the journal index has read earlier runs' actions. */
  async spend(query: SpendQuery): Promise<SpendSeries> {
    const journal = this.consoleJournal();
    await journal.ready();
    return spendSeries(this.daemon, query, journal);
  }

  /** The console's header and budget rows. */
  async overview(query: { readonly tz: string }): Promise<FleetOverview> {
    await this.consoleJournal().ready();
    return overview(this.daemon, query.tz, (this.#sums ??= new LedgerSums()), this.daemon.config.mode);
  }

  sessions(filter: SessionFilter = {}): SessionView[] {
    const out: SessionView[] = [];
    for (const session of this.daemon.fleet.sessions({ includeUnsynced: true })) {
      if (filter.agent !== undefined && session.agent !== filter.agent) continue;
      if (filter.active !== undefined && session.active !== filter.active) continue;
      const view = this.view(session);
      if (filter.state !== undefined && view.state !== filter.state) continue;
      if (filter.tokens !== undefined && view.usage.total < filter.tokens) continue;
      out.push(view);
    }
    return out.sort((a, b) => b.usage.total - a.usage.total || a.session.key.localeCompare(b.session.key));
  }

  session(key: string): ReturnType<WardenView['session']> {
    const session = this.daemon.fleet.find(key)[0];
    if (!session) return undefined;
    const journal = this.consoleJournal();
    void journal.ready();
    const usage = this.daemon.fleet.ledger.session(session.source, session.key, session.generation);
    const decisions = journal.entries(session.key, session.source).filter((e) => e.type === 'decision' || e.type === 'action' || e.type === 'step');
    return { ...boardExtras(this.view(session), this.daemon, journal, true), decisions: [...decisions].reverse(), calls: recentCalls(usage) };
  }

  /**
   * `clawwarden explain` from the live state: the running engine over the synced fleet, the enforcement memory
   * (episodes, holds) and the enforcer's planning against the live sources. Undefined for an unknown key.
   */
  explain(key: string, policy?: string): SessionExplanation | undefined {
    const { fleet, state, engine, config } = this.daemon;
    const session = fleet.find(key)[0];
    if (!session) return undefined;
    return explainSession({ session, sessions: fleet.sessions(), ledger: fleet.ledger, config, state, now: this.daemon.now(), engine, fleet, ...(policy !== undefined ? { policy } : {}) });
  }

  view(session: Session): SessionView {
    const { fleet, state, enforcer } = this.daemon;
    const now = this.daemon.now();
    const usage = fleet.ledger.session(session.source, session.key, session.generation);
    const totals = usage?.totals ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
    const hold = state.hold(session.source, session.key);
    const display = sessionState(session, hold);
    const source = fleet.source(session.source);
    const can = manualActionsIn(display, session.active).filter((action) => source?.capabilities.has(action));
    const marks =
      state.marks.size === 0
        ? []
        : enforcer
            .marks()
            .filter((m) => m.target.source === session.source && m.target.key === session.key)
            .map(markView);
    return {
      session,
      state: display,
      usage: { ...totals, total: totalTokens(totals), calls: usage?.calls ?? 0, known: usage?.known ?? false },
      ...(session.lastActivityAt !== undefined ? { idleMs: Math.max(0, now - session.lastActivityAt) } : {}),
      ...(session.startedAt !== undefined ? { ageMs: Math.max(0, now - session.startedAt) } : {}),
      ...(hold ? { hold } : {}),
      budgets: this.daemon.engine.budgetsFor(session, fleet.ledger, now),
      can,
      protected: enforcer.isProtected(session.key),
      ...(marks.length > 0 ? { marks } : {}),
    };
  }
}
