// A session marked for an action after a notice period (Custodian's mark-for-op, kube-janitor's notice before delete).

import type { Decision, PolicyAction, SessionRef } from './decision.js';

/** An action a policy decided on a session, deferred until `due`; taken then only if the policy still matches. */
export interface Mark {
  /** The enforcer's step id (decision, action index, target): the action it defers, acted on once. */
  readonly id: string;
  /** The decision that marked it (its step is recorded once the mark is acted on, cancelled or every mark settled). */
  readonly decision: Decision;
  readonly action: Exclude<PolicyAction, { action: 'notify' }>;
  readonly target: SessionRef;
  /** Epoch ms the mark was placed. */
  readonly at: number;
  /** Epoch ms the action falls due. */
  readonly due: number;
  /** The decision's reason when marked. */
  readonly reason: string;
}

/** How a mark ended without its action: `cancelled` by an operator (journaled with who), `dropped` because the policy no longer matched at due time. */
export type MarkEnd = 'cancelled' | 'dropped';

/** A mark as the API, CLI and console show it. */
export interface SessionMark {
  readonly policy: string;
  /** The verb: `archive`, `delete`, `kill`, `stop`, … */
  readonly action: string;
  /** Epoch ms it was placed and falls due. */
  readonly at: number;
  readonly due: number;
  readonly reason: string;
}

/** The view of a mark. */
export function markView(mark: Mark): SessionMark {
  return { policy: mark.decision.policy, action: markVerb(mark.action), at: mark.at, due: mark.due, reason: mark.reason };
}

/** The notice of an action, if it has one (notify never does). */
export function noticeOf(action: PolicyAction): number | undefined {
  return action.action === 'notify' ? undefined : action.notice;
}

/** `archive`, `delete`, `kill`: the verb of an action as a person says it. */
export function markVerb(action: PolicyAction): string {
  if (action.action === 'cleanup') return action.cleanup;
  return action.action;
}
