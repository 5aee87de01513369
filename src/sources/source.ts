import type { PluginModule } from '../plugin.js';

/** What clawwarden can ask a source to do to a session. */
export type ActionName = 'stop' | 'kill' | 'pause' | 'resume' | 'cleanup' | 'compact';
export const ACTION_NAMES: readonly ActionName[] = ['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'];

/**
 * A session normalised from any platform. `generation` changes whenever the platform resets or rolls
 * the session (OpenClaw `sessionId`), so a decision about one generation never hits the next.
 */
export interface Session {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  readonly model?: string;
  readonly provider?: string;
  readonly channel?: string;
  readonly kind?: string;
  /** The agent's main session: cannot be archived, only held. */
  readonly main: boolean;
  readonly archived: boolean;
  /** A run is in progress right now. */
  readonly active: boolean;
  /** Epoch ms. */
  readonly startedAt?: number;
  /** Epoch ms of the last model call or message; drives `idle`. */
  readonly lastActivityAt?: number;
  /** Epoch ms the current run started, when `active`; drives `runtime`. */
  readonly runStartedAt?: number;
  /** The platform's own status word (`running`, `done`, `killed`), for display only. */
  readonly status?: string;
}

/** Token and cost counts of one model call or of a sum of them. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** USD. */
  cost: number;
}

/** One model call (or a baseline chunk) as reported by a source. */
export interface UsageRecord extends Usage {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  /** De-duplication id unique within (source, key), e.g. OpenClaw's messageSeq. */
  readonly id: string;
  /** Epoch ms the call completed. */
  readonly at: number;
}

/**
 * A session's cumulative usage as the platform itself reports it (OpenClaw `sessions.usage`):
 * the baseline the ledger starts from and reconciles against after reconnects.
 */
export interface UsageBaseline extends Usage {
  readonly source: string;
  readonly key: string;
  readonly generation: string;
  readonly agent: string;
  /** Usage per calendar day (UTC date `YYYY-MM-DD`), when the platform breaks it down. */
  readonly daily?: ReadonlyArray<Usage & { readonly date: string }>;
  /** Epoch ms of the last activity the baseline covers. */
  readonly lastActivityAt?: number;
}

/** Everything a source pushes to its subscriber. */
export type SourceEvent =
  | { readonly type: 'usage'; readonly record: UsageRecord; readonly session?: Session }
  /** A session appeared or changed (run started/ended, archived, reset → new generation). */
  | { readonly type: 'session'; readonly session: Session; readonly reason: string }
  | { readonly type: 'removed'; readonly source: string; readonly key: string }
  /** Connected and authorised; the subscriber must re-sync (inventory + baseline) before acting. */
  | { readonly type: 'up'; readonly source: string }
  | { readonly type: 'down'; readonly source: string; readonly error: string };

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
