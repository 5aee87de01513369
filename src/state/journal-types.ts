import type { DecisionKind, Episode, Hold, Measurement, Mode, PolicyAction, Scope, SessionRef } from '../domain/decision.js';
import type { UsageBaseline } from '../domain/session.js';
import type { ActionStatus } from '../domain/action.js';
import type { Mark, MarkEnd } from '../domain/mark.js';

/** One line of the audit journal (append-only JSON lines). */
export interface JournalEntry {
  /** Monotonic sequence within the state dir; survives restarts and rotation. */
  readonly seq: number;
  /** ISO timestamp. */
  readonly time: string;
  /**
   * `decision` (engine concluded), `action` (a call and its result), `step` (a decision's step recorded as done: the
   * escalation clock, cooldown or warn de-dup), `hold`, `release`, `refusal` (blast radius / fail-safe, e.g. usage
   * unknown for too long), `config`, `source`, `mark` (a session marked for an action after a notice, or the mark
   * cancelled or dropped: see `result`).
   */
  readonly type: 'decision' | 'action' | 'step' | 'hold' | 'release' | 'refusal' | 'config' | 'source' | 'mark';
  readonly decision?: string;
  readonly policy?: string;
  readonly kind?: DecisionKind;
  readonly source?: string;
  readonly session?: string;
  readonly generation?: string;
  readonly agent?: string;
  readonly action?: string;
  readonly result?: ActionStatus | 'would' | 'marked' | MarkEnd;
  readonly mode?: Mode;
  /** `policy`, `api`, `cli`. */
  readonly by?: string;
  readonly reason: string;
  readonly detail?: string;
  readonly measurements?: readonly Measurement[];
  /** `action`: the enforcer's idempotency id of the step (rebuilds the action record when state.json is lost). */
  readonly item?: string;
  /** `action` of pause/kill: the hold or pause it placed (rebuilt from the journal like everything else in state). */
  readonly hold?: Hold;
  /** `mark` placed (result `marked`): the mark, rebuilt from the journal like everything else in state. */
  readonly mark?: Mark;
  /** Whether a manual action was forced past protection or the blast-radius limit. */
  readonly forced?: boolean;
  /** `decision`: what is needed to finish applying it after a crash (targets, actions, step). */
  readonly plan?: DecisionPlan;
  /**
   * `decision` about one session: its cumulative usage as measured when deciding, so a crash before the next ledger
   * save never loses what was acted on (restored into the ledger as a floor on start).
   */
  readonly usage?: UsageBaseline;
  /** `step`: the episode as recorded (stateKey → episode); absent for warn de-dup steps. */
  readonly episode?: { readonly stateKey: string } & Episode;
}

/** The part of a decision the enforcer needs to resume applying it after a restart. */
export interface DecisionPlan {
  readonly stateKey: string;
  readonly scope: Scope;
  readonly subject: string;
  readonly step: number;
  readonly episode: number;
  readonly actions: readonly PolicyAction[];
  readonly targets: readonly SessionRef[];
  readonly window?: { readonly start: number; readonly end: number };
}
