import type { PluginModule } from '../plugin.js';
import type { ActionName, ActionRequest, ActionResult } from '../domain/action.js';
import type { Session, UsageBaseline, UsageRecord } from '../domain/session.js';

// The domain types live on the ground floor (src/domain); re-exported here for the sources' own modules.
export type { ActionName, ActionRequest, ActionResult, ActionStatus } from '../domain/action.js';
export { ACTION_NAMES } from '../domain/action.js';
export type { Session, Usage, UsageBaseline, UsageRecord } from '../domain/session.js';

/** Everything a source pushes to its subscriber. */
export type SourceEvent =
  | { readonly type: 'usage'; readonly record: UsageRecord; readonly session?: Session }
  /** A session appeared or changed (run started/ended, archived, reset → new generation). */
  | { readonly type: 'session'; readonly session: Session; readonly reason: string }
  | { readonly type: 'removed'; readonly source: string; readonly key: string }
  /** Connected and authorised; the subscriber must re-sync (inventory + baseline) before acting. */
  | { readonly type: 'up'; readonly source: string }
  | { readonly type: 'down'; readonly source: string; readonly error: string };

/** A connected platform. Optional capabilities are declared in `capabilities` and checked before calling `perform`. */
export interface Source {
  readonly name: string;
  readonly type: string;
  readonly capabilities: ReadonlySet<ActionName>;
  /** Connects (and keeps reconnecting with backoff until `close`). Rejects only on errors that retrying cannot fix (auth, scope). */
  start(): Promise<void>;
  close(): Promise<void>;
  isUp(): boolean;
  /** The complete current inventory; rejects rather than returning a partial one. */
  inventory(): Promise<Session[]>;
  /** Cumulative usage per session as the platform reports it (for baselines and reconciliation). */
  usage(keys?: readonly string[]): Promise<UsageBaseline[]>;
  subscribe(listener: (event: SourceEvent) => void): () => void;
  /** Carries out one action. Never throws: failures come back as `failed`. */
  perform(request: ActionRequest): Promise<ActionResult>;
}

/** Everything a source factory may use. */
export interface SourceContext {
  /** Epoch ms; injectable so tests and the demo fleet can run on their own clock. */
  readonly now: () => number;
  readonly log: { info(o: object, msg?: string): void; warn(o: object, msg?: string): void; error(o: object, msg?: string): void; debug(o: object, msg?: string): void };
}

/** A source plugin: its config schema and a factory. */
export interface SourceModule<C = Record<string, unknown>> extends PluginModule {
  readonly capabilities: readonly ActionName[];
  create(name: string, config: C, context: SourceContext): Source;
}
