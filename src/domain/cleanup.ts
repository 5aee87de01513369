import type { Session } from './session.js';

/** What a cleanup asks for: sessions at least this old (and idle this long), of one agent, to archive or delete. */
export interface CleanupSelection {
  readonly ageMs?: number;
  readonly idleMs?: number;
  readonly agent?: string;
  readonly mode: 'archive' | 'delete';
}

/**
 * The sessions a cleanup is about — one rule for the daemon, the API, the console and the direct CLI: never a main
 * session (the platform cannot archive or delete it), never one with a run in progress, not an already archived one
 * when archiving; age counts from the start (else the last activity), idleness from the last activity.
 */
export function cleanupCandidates<S extends Session>(sessions: readonly S[], selection: CleanupSelection, now: number): S[] {
  return sessions.filter((s) => {
    if (s.main || s.active) return false;
    if (selection.agent !== undefined && s.agent !== selection.agent) return false;
    if (selection.mode === 'archive' && s.archived) return false;
    const started = s.startedAt ?? s.lastActivityAt;
    if (selection.ageMs !== undefined && (started === undefined || now - started < selection.ageMs)) return false;
    if (selection.idleMs !== undefined) {
      const last = s.lastActivityAt ?? started;
      if (last === undefined || now - last < selection.idleMs) return false;
    }
    return true;
  });
}
