import type { Session } from '../domain/session.js';
import type { LedgerView } from '../ledger/types.js';
import type { Policy } from '../policy/types.js';
import type { BudgetUse } from '../domain/decision.js';
import type { EvaluationInput, EvaluationResult } from './types.js';
import { budgetOf, PersistentEngine } from './engine.js';

/**
 * The engine: a pure, deterministic function from (sessions, ledger, policies, state, now) to decisions
 * with their reasons. One-shot: a throwaway engine that remembers nothing; the daemon keeps a `createEngine` one.
 */
export function evaluate(input: EvaluationInput): EvaluationResult {
  return new PersistentEngine(input.policies, false).evaluate(input);
}

/** Session-scope budget use of one session (for console bars): every matching session policy with a usage or greater-than threshold. */
export function budgetsFor(session: Session, ledger: LedgerView, policies: readonly Policy[], now: number): BudgetUse[] {
  const usage = ledger.session(session.source, session.key, session.generation);
  const uses: BudgetUse[] = [];
  for (const policy of policies) {
    if (policy.scope !== 'session' || !policy.matches(session)) continue;
    const use = budgetOf(policy, session, usage, now);
    if (use) uses.push(use);
  }
  return uses;
}
