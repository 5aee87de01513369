import type { Decision, Mode, SessionRef } from '../domain/decision.js';
import type { Session } from '../domain/session.js';
import type { ActionName, ActionResult } from '../domain/action.js';

/** What the enforcer reports outward (notifications, metrics, live updates). Implementations must not throw. */
export interface EnforcementHooks {
  /** A decision is being acted on (once per decision id). `notifiers` are the policy's notify targets for it. */
  decided(decision: Decision, notifiers: readonly string[] | 'all' | undefined): void;
  /** One action on one session finished (or would have, in dry-run). `latencyMs` is from the triggering event, when known. */
  acted(outcome: ActionOutcomeRecord): void;
  /** A batch was refused by the blast-radius limit. */
  refused(decisions: readonly Decision[], planned: number, limit: number, sessionsInScope: number): void;
}

/** One action's full record, as journaled and reported. */
export interface ActionOutcomeRecord {
  readonly decision?: Decision;
  readonly policy?: string;
  readonly target: SessionRef | Session;
  readonly action: ActionName;
  readonly mode: Mode;
  readonly by: string;
  /**
   * The platform's answer, `would` in a dry run, `refused` by a safety rule (with the reason in `detail`), or `marked`:
   * the action has a notice, the session is marked and nothing was done yet.
   */
  readonly status: ActionResult['status'] | 'would' | 'marked';
  /** Epoch ms a marked action falls due (also for a dry run's "would mark"). */
  readonly due?: number;
  readonly detail: string;
  readonly reason: string;
  readonly latencyMs?: number;
  /** Notifiers of the policy that caused it (undefined for manual actions). */
  readonly notifiers?: readonly string[] | 'all';
}
