// The ground floor: a session as people see it (API, console, CLI, metrics), with its state in one vocabulary.
import type { Session, Usage } from './session.js';
import type { ActionName } from './action.js';
import type { BudgetUse, Hold } from './decision.js';
import type { SessionMark } from './mark.js';

/** Display state of a session, derived from the platform and clawwarden's holds (see SESSION_STATES). */
export type SessionDisplayState = (typeof SESSION_STATES)[number];

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
  /** Actions policies have marked the session for, after a notice (soonest due first); undone by unmark. */
  readonly marks?: readonly SessionMark[];
}

export interface SessionFilter {
  readonly agent?: string;
  readonly state?: SessionDisplayState;
  readonly active?: boolean;
  /** Minimum total tokens. */
  readonly tokens?: number;
}

/**
 * The one vocabulary of session states, for the CLI, API, console, metrics, policies (`state:`) and journal:
 * running (a run in progress) · idle (no run) · stopped (its last run was aborted; usable) · paused (archived by
 * clawwarden) · held (a main session clawwarden blocks: runs are aborted as they start) · killed (run aborted and
 * the session archived or held by a kill) · archived (archived by someone else).
 */
export const SESSION_STATES = ['running', 'idle', 'stopped', 'paused', 'held', 'killed', 'archived'] as const;

/** A session's state from the platform's row and clawwarden's hold on it, if any. */
export function sessionState(session: Session, hold: (Pick<Hold, 'kind' | 'reason'> & { readonly action?: ActionName }) | undefined): SessionDisplayState {
  const killed = hold !== undefined && (hold.action === 'kill' || (hold.action === undefined && hold.reason.startsWith('kill:')));
  // A hold on an unarchivable (main) session is in force whatever the row says; a pause is real only while archived.
  if (hold?.kind === 'hold') return killed ? 'killed' : 'held';
  if (hold?.kind === 'archive' && session.archived) return killed ? 'killed' : 'paused';
  if (session.archived) return 'archived';
  if (session.active) return 'running';
  return session.status === 'killed' ? 'stopped' : 'idle';
}
