// The ground floor: what a session and its usage are, for every other part of clawwarden.

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
  /**
   * Epoch ms of the last human input (a user or channel message), not moved by heartbeat polls, cron wakes or
   * system events; drives `idle.human`. Absent when the source cannot tell (then `idle.human` never matches).
   */
  readonly lastHumanAt?: number;
  /** Epoch ms the current run started, when `active`; drives `runtime`. */
  readonly runStartedAt?: number;
  /** The platform's own status word (`running`, `done`, `killed`), for display only. */
  readonly status?: string;
  /**
   * Key of the session (same source) that spawned this one as a sub-agent, when the platform says so (OpenClaw
   * `spawnedBy`). A stop or kill of the parent reaches it, and `tree: true` policies count it in the parent's tree.
   */
  readonly parent?: string;
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

/** The token counts of a usage, without its cost. */
export type TokenCounts = Pick<Usage, 'input' | 'output' | 'cacheRead' | 'cacheWrite'>;

/** Every token a call or a sum of calls used: the one definition of `tokens.total`. */
export function totalTokens(u: Readonly<TokenCounts>): number {
  return u.input + u.output + u.cacheRead + u.cacheWrite;
}

/** Cache tokens a call or a sum of calls used (read + write): the one definition of `tokens.cache`. */
export function cacheTokens(u: Readonly<TokenCounts>): number {
  return u.cacheRead + u.cacheWrite;
}
