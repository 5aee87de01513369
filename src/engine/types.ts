import type { Session } from '../domain/session.js';
import type { Decision, EngineState, Mode, BudgetUse } from '../domain/decision.js';

// The decision vocabulary lives on the ground floor (src/domain); re-exported for the engine's own modules.
export type { BudgetUse, Comparison, Decision, DecisionKind, EngineState, Episode, Hold, Measurement, Mode, PolicyAction, Scope, SessionRef } from '../domain/decision.js';

export interface EvaluationInput {
  readonly sessions: readonly Session[];
  readonly ledger: import('../ledger/types.js').LedgerView;
  readonly policies: readonly import('../policy/types.js').Policy[];
  readonly state: EngineState;
  readonly now: number;
  readonly mode: Mode;
}

export interface EvaluationResult {
  readonly decisions: Decision[];
  /** Budget use per aggregate subject (agent/fleet scopes); session-scope budgets come from `budgetsFor`. */
  readonly aggregates: BudgetUse[];
  /** Non-fatal problems (e.g. a condition skipped on unknown usage), never thrown. */
  readonly notes: string[];
  /**
   * Policies that threw during this evaluation: each was skipped from its first failure on (its decisions of this
   * evaluation dropped), the others went on. Empty when everything evaluated.
   */
  readonly errors: PolicyError[];
}

/** One policy's failure in one evaluation: contained, counted and reported by the caller. */
export interface PolicyError {
  readonly policy: string;
  /** The session or aggregate it was evaluating when it threw. */
  readonly subject: string;
  readonly message: string;
}
