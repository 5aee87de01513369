import type { Session } from '../domain/session.js';
import { totalTokens } from '../domain/session.js';
import { actionsFor, sessionState } from '../domain/session-view.js';
import type { Engine } from '../engine/index.js';
import type { StateStore } from '../state/store.js';
import type { LiveFleet } from './fleet.js';
import type { SessionFilter, SessionView, WardenView } from '../http/view.js';

/** What the views are built from: the daemon's live fleet, its enforcement memory and its engine. */
export interface ViewInputs {
  readonly fleet: LiveFleet;
  readonly state: StateStore;
  readonly enforcer: { isProtected(key: string): boolean };
  readonly engine: Engine;
  readonly now: () => number;
}

/** Builds the API/console views of sessions from the daemon's fleet, ledger, holds and policies. */
export class WardenViews {
  constructor(private readonly daemon: ViewInputs) {}

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
    return { ...this.view(session), decisions: [] };
  }

  view(session: Session): SessionView {
    const { fleet, state, enforcer } = this.daemon;
    const now = this.daemon.now();
    const usage = fleet.ledger.session(session.source, session.key, session.generation);
    const totals = usage?.totals ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
    const hold = state.hold(session.source, session.key);
    const display = sessionState(session, hold);
    const source = fleet.source(session.source);
    const can = actionsFor(display, session.active).filter((action) => source?.capabilities.has(action));
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
    };
  }
}
