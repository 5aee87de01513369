// The ground floor: what clawwarden can ask a platform to do to a session, and what came of it.

/**
 * What clawwarden can ask a source to do to a session, in display order: the ground floor's one list of names.
 * Each has a module in src/actions declaring its traits; src/actions/index.ts holds the two equal at compile time.
 */
export const ACTION_NAMES = ['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'] as const;

/** What clawwarden can ask a source to do to a session. */
export type ActionName = (typeof ACTION_NAMES)[number];

/** One action on one session generation. */
export interface ActionRequest {
  readonly action: ActionName;
  readonly key: string;
  /** The generation the decision was about; lifecycle calls carry it as `expectedSessionId`. */
  readonly generation: string;
  /** For `cleanup`. */
  readonly cleanup?: 'archive' | 'delete';
}

/**
 * What happened: `done` (the platform acknowledged), `noop` (nothing to do, e.g. no active run),
 * `refused` (the platform said no, with its reason), `failed` (transport or unexpected error).
 */
export type ActionStatus = 'done' | 'noop' | 'refused' | 'failed';

export interface ActionResult {
  readonly status: ActionStatus;
  /** Human-readable, includes the platform's own message when it refused. */
  readonly detail: string;
  /** Main sessions cannot be archived: pause/kill on them require a clawwarden hold, which the caller keeps. */
  readonly hold?: boolean;
  /** Epoch ms the platform acknowledged. */
  readonly at?: number;
}
