import type { Mode } from '../domain/decision.js';
import type { Policy } from '../policy/types.js';
import type { Secret } from '../domain/secret.js';

/** A source entry as configured; `options` validated against the source module's schema, secrets resolved. */
export interface SourceConfig {
  readonly name: string;
  readonly type: string;
  readonly options: Readonly<Record<string, unknown>>;
}

import type { NotifierConfig } from '../notifiers/types.js';
export type { NotifierConfig } from '../notifiers/types.js';

/** Blast-radius limit: an absolute count, or a percentage of the sessions in the sweep. */
export type ActionLimit = { readonly count: number } | { readonly percent: number };

/** The `guard:` block: where the daemon's guard channel listens, its token, and what guards do without a verdict. */
export interface GuardConfig {
  /** `host:port` of the guard listener. */
  readonly listen: string;
  readonly token: Secret;
  /** What a guard does with sessions it has no verdict for while the daemon is unreachable. */
  readonly failMode: 'open' | 'closed';
  /** Names of the openclaw sources that have a guard installed; every openclaw source when unset. */
  readonly sources?: readonly string[];
}

/** The fully loaded, validated configuration. Immutable; a reload builds a new one. */
export interface Config {
  /** Absolute path of the main file, or `<demo>` for the embedded default. */
  readonly file: string;
  readonly sources: readonly SourceConfig[];
  readonly mode: Mode;
  /** Cron expression for sweeps (node-cron syntax, validated). */
  readonly schedule: string;
  readonly stateDir: string;
  readonly http: {
    /** `host:port`; default 127.0.0.1:9464. */
    readonly listen: string;
    readonly token?: Secret;
    /** Allowed CORS origins; empty = closed. */
    readonly corsOrigins: readonly string[];
    /** Open sockets; more are refused at accept. Default 256. */
    readonly maxConnections?: number;
    /** Concurrent event streams; more get 503. Default 32. */
    readonly maxEventStreams?: number;
    /** ms a socket has to deliver a whole request. Default 10000. */
    readonly requestTimeoutMs?: number;
  };
  readonly safety: {
    readonly maxActionsPerSweep: readonly ActionLimit[];
    /** Key globs of protected sessions. */
    readonly protect: readonly string[];
  };
  readonly notifiers: readonly NotifierConfig[];
  readonly policies: readonly Policy[];
  readonly metrics: {
    /** How many sessions get per-session series. Default 50. */
    readonly topSessions: number;
  };
  readonly journal: {
    /** Rotate the journal file past this size. Default 10 MiB. */
    readonly maxBytes: number;
    /** Rotated files kept. Default 5. */
    readonly keep: number;
  };
  /** The per-call history the daemon records in `stateDir/history` for `replay --from state`. */
  readonly history: {
    /** Segments whose calls are all older than this are dropped. Default 35 days. */
    readonly retentionMs: number;
  };
  readonly logLevel: string;
  /** The in-gateway guard channel (`guard:`); absent when no guard is configured. */
  readonly guard?: GuardConfig;
}
