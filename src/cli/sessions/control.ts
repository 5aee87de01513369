import { cleanupCandidates } from '../../domain/cleanup.js';
import type { SessionDisplayState } from '../../domain/session-view.js';
import type { SessionMark } from '../../domain/mark.js';
import type { Session } from '../../domain/session.js';
import type { ActionName, ActionStatus } from '../../domain/action.js';
import type { ManualAction } from '../../actions/index.js';

/** A session with its cumulative usage, as `sessions list` shows it. */
export interface SessionView extends Session {
  /** Cumulative usage (platform baseline plus live events); undefined when the platform has not reported it yet. */
  readonly usage?: { readonly input: number; readonly output: number; readonly cacheRead: number; readonly cacheWrite: number; readonly cost: number };
  /** The state in the one vocabulary, as the daemon sees it (with its holds); absent straight from the gateway. */
  readonly state?: SessionDisplayState;
  /** Actions a policy marked it for after a notice (through the daemon, which keeps the marks). */
  readonly marks?: readonly SessionMark[];
}

/** The result for one key, in the order the keys were given. `unknown`: no such session; `planned`: a dry run. */
export interface KeyResult {
  readonly key: string;
  readonly action: ActionName;
  readonly status: ActionStatus | 'unknown' | 'planned';
  readonly detail: string;
  readonly generation?: string;
  readonly hold?: boolean;
}

/** What `sessions cleanup` selects. */
export interface CleanupOptions {
  /** Sessions that started at least this long ago (ms). */
  readonly ageMs: number;
  /** And have been idle at least this long (ms). */
  readonly idleMs?: number;
  readonly agent?: string;
  readonly mode: 'archive' | 'delete';
  readonly dryRun: boolean;
  /** Act past protection and the blast-radius limit (through the daemon; journaled as forced). */
  readonly force?: boolean;
}

/**
 * How the session commands reach the sessions: straight to the gateway, or through the running daemon's API
 * (so its journal and holds stay true). The commands never know which.
 */
export interface SessionControl {
  /** Where the actions go, for messages (`gateway ws://…`, `daemon http://…`). */
  readonly target: string;
  list(): Promise<SessionView[]>;
  /** Lines about the sources worth showing under the list (the in-gateway guard's status, through the daemon). */
  sourceNotes?(): Promise<string[]>;
  /** `force` acts on protected sessions and past the blast-radius limit (the daemon journals it as forced). */
  act(action: ManualAction, keys: readonly string[], dryRun: boolean, force?: boolean): Promise<KeyResult[]>;
  cleanup(options: CleanupOptions): Promise<KeyResult[]>;
  /** Cancels the marks on a session (only the daemon keeps marks); undefined for an unknown key. */
  unmark?(key: string): Promise<{ readonly key: string; readonly cancelled: readonly SessionMark[] } | undefined>;
  close(): Promise<void>;
}

/** A result that makes the command exit non-zero. */
export function isFailure(result: KeyResult): boolean {
  return result.status === 'failed' || result.status === 'refused' || result.status === 'unknown';
}

/** Sessions `cleanup` would remove: old (and idle) enough, not main, not running, not already gone. */
export function selectForCleanup(sessions: readonly SessionView[], options: CleanupOptions, now: number): SessionView[] {
  return cleanupCandidates(sessions, options, now);
}
