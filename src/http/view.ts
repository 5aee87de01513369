import type { ActionName, ActionResult } from '../domain/action.js';
import type { Decision, Mode } from '../domain/decision.js';
import type { SessionFilter, SessionView } from '../domain/session-view.js';
import type { JournalEntry } from '../state/journal-types.js';
import type { SessionExplanation } from '../explain/explain.js';

export type { SessionDisplayState, SessionFilter, SessionView } from '../domain/session-view.js';

/** Outcome of one requested action on one key, in request order. */
export interface ActionOutcome {
  readonly key: string;
  readonly source?: string;
  readonly action: ActionName;
  readonly status: ActionResult['status'] | 'unknown-key' | 'would';
  readonly detail: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly configLoaded: boolean;
  readonly sources: readonly { readonly name: string; readonly up: boolean; readonly synced: boolean }[];
  readonly lastSweepAt?: number;
}

/** Live updates pushed to SSE clients. */
export type WardenUpdate =
  | { readonly type: 'sessions'; readonly at: number }
  | { readonly type: 'decision'; readonly decision: Decision }
  | { readonly type: 'journal'; readonly entry: JournalEntry };

/** What the HTTP API, console and CLI-through-daemon need from the running daemon. */
export interface WardenView {
  readiness(): ReadinessReport;
  mode(): Mode;
  sessions(filter?: SessionFilter): SessionView[];
  session(key: string): (SessionView & { readonly decisions: readonly JournalEntry[] }) | undefined;
  policies(): readonly { readonly name: string; readonly description?: string; readonly scope: string; readonly mode: Mode; readonly raw: Readonly<Record<string, unknown>> }[];
  journal(query: { readonly since?: number; readonly session?: string; readonly limit: number; readonly before?: number }): Promise<JournalEntry[]>;
  /** Manual action by key(s); goes through the enforcer (holds, journal). */
  /** `by` is the origin (api, cli, console); `force` acts past protection and the blast-radius limit (journaled). */
  act(action: Exclude<ActionName, 'cleanup' | 'compact'>, keys: readonly string[], options: { readonly by: string; readonly dryRun: boolean; readonly force?: boolean }): Promise<ActionOutcome[]>;
  /** Protected sessions are refused and a batch past the blast-radius limit is refused whole, unless `force`. */
  cleanup(options: { readonly ageMs?: number; readonly idleMs?: number; readonly agent?: string; readonly mode: 'archive' | 'delete'; readonly dryRun: boolean; readonly by: string; readonly force?: boolean }): Promise<ActionOutcome[]>;
  subscribe(listener: (update: WardenUpdate) => void): () => void;
  /**
   * Why each policy (or only `policy`) does or does not act on the session with this key, with its numbers
   * (`clawwarden explain`); undefined when there is no such session. A view without it answers 501.
   */
  explain?(key: string, policy?: string): SessionExplanation | undefined;
}
