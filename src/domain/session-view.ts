// The ground floor: a session as people see it (API, console, CLI, metrics), with its state in one vocabulary.
import type { Session, Usage } from './session.js';
import type { ActionName } from './action.js';
import type { BudgetUse, Hold } from './decision.js';

/** Display state of a session, derived from the platform and clawwarden's holds. */
export type SessionDisplayState = 'running' | 'idle' | 'paused' | 'held' | 'archived';

/** A session as the API and console show it. */
export interface SessionView {
  readonly session: Session;
  readonly state: SessionDisplayState;
  readonly usage: Usage & { readonly total: number; readonly calls: number; readonly known: boolean };
  /** ms since last activity / since start; undefined when unknown. */
  readonly idleMs?: number;
  readonly ageMs?: number;
  readonly hold?: Hold;
  readonly budgets: readonly BudgetUse[];
  /** Actions the source can perform on it right now. */
  readonly can: readonly ActionName[];
  readonly protected: boolean;
}

export interface SessionFilter {
  readonly agent?: string;
  readonly state?: SessionDisplayState;
  readonly active?: boolean;
  /** Minimum total tokens. */
  readonly tokens?: number;
}
