// The guard channel between the clawwarden daemon and its in-gateway guard. This file is the contract of both ends:
// src/guard/protocol.ts in the daemon is a byte-for-byte copy (a test keeps them equal).

/** Bumped on any incompatible change; the daemon refuses a guard speaking another version (409, with the reason). */
export const GUARD_PROTOCOL = 1;

/** HTTP paths on the daemon's guard listener. */
export const GUARD_PATHS = {
  /** GET, `text/event-stream`: the daemon pushes `DaemonMessage`s (one JSON per `data:` line) for as long as it is open. */
  verdicts: '/guard/v1/verdicts',
  /** POST, JSON `GuardReport`: usage, blocks and refusals, status. */
  report: '/guard/v1/report',
} as const;

/** Request headers a guard sends (besides `authorization: Bearer <token>`). */
export const GUARD_HEADERS = {
  protocol: 'x-clawwarden-guard-protocol',
  version: 'x-clawwarden-guard-version',
  source: 'x-clawwarden-source',
  gateway: 'x-openclaw-version',
} as const;

/** Usage metrics a cap can be on: the policy conditions of the same names. */
export type CapMetric = 'tokens.total' | 'tokens.input' | 'tokens.output' | 'tokens.cache' | 'cost';

/**
 * A session's standing: `allowed`; `over-cap` (a hard cap is reached or the next call would cross it); `stopped` (runs
 * started before `since` must end); `paused`, `held` (a paused main session) and `killed` (nothing new may start).
 */
export type VerdictState = 'allowed' | 'over-cap' | 'stopped' | 'killed' | 'paused' | 'held';

/** What a guard does with sessions it has no verdict for while the daemon is unreachable. */
export type FailMode = 'open' | 'closed';

/** Token and cost counts (cost in USD). */
export interface WireUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly cost: number;
}

/** A token or cost cap of one enforcing policy that applies to a session. */
export interface WireCap {
  readonly policy: string;
  readonly metric: CapMetric;
  readonly limit: number;
  /** `>=` rather than `>`: the cap is violated at the limit itself. */
  readonly inclusive: boolean;
  /** `hard: true`: stop before the next call would cross the cap, and refuse new runs once it would. */
  readonly hard: boolean;
  /** The policy's first enforcing action. */
  readonly action: 'stop' | 'kill' | 'pause';
}

/** A cap that applies to sessions the daemon has not told the guard about yet, by key and agent (RegExp sources). */
export interface WireRule {
  readonly cap: WireCap;
  readonly keys?: readonly string[];
  readonly agents?: readonly string[];
  readonly excludeKeys?: readonly string[];
  readonly excludeAgents?: readonly string[];
}

/** The daemon's word on one session. */
export interface WireVerdict {
  readonly key: string;
  /** The session generation (OpenClaw sessionId) `usage` is about. */
  readonly generation?: string;
  readonly state: VerdictState;
  /** Epoch ms the state began (for `stopped`: runs started before it must end). */
  readonly since: number;
  /** Why, in words (`tokens.total 42,434 > 40,000 (policy runaway-cap)`). */
  readonly reason?: string;
  readonly policy?: string;
  /** `policy`, `api`, `cli`, `guard`. */
  readonly by?: string;
  /** How to continue, in words. */
  readonly resume?: string;
  /** The generation's cumulative usage as the daemon counted it, through `through` (epoch ms of its latest call). */
  readonly usage?: WireUsage;
  readonly through?: number;
  readonly caps: readonly WireCap[];
}

/** What the daemon pushes. `hello` replaces everything the guard knew; the others change one thing. */
export type DaemonMessage =
  | {
      readonly type: 'hello';
      readonly protocol: number;
      readonly version: string;
      readonly source: string;
      readonly failMode: FailMode;
      readonly rules: readonly WireRule[];
      readonly verdicts: readonly WireVerdict[];
      readonly at: number;
    }
  | { readonly type: 'verdict'; readonly verdict: WireVerdict }
  | { readonly type: 'forget'; readonly key: string }
  | { readonly type: 'rules'; readonly rules: readonly WireRule[]; readonly failMode: FailMode };

/** One model call's usage as the gateway saw it (`call`), or what a run's total had beyond its calls (`remainder`). */
export interface WireUsageRecord {
  readonly key: string;
  readonly agent: string;
  readonly generation: string;
  /** Unique within (source, key); the daemon drops repeats. */
  readonly id: string;
  /** Epoch ms of the call (the assistant message's timestamp). */
  readonly at: number;
  readonly usage: WireUsage;
  readonly kind: 'call' | 'remainder';
  readonly runId?: string;
}

/** A tool call the guard blocked (and the run it aborted), or a run it refused at admission. */
export interface WireGuardEvent {
  readonly kind: 'blocked' | 'refused';
  readonly key: string;
  readonly agent?: string;
  readonly generation?: string;
  readonly runId?: string;
  readonly state: VerdictState | 'fail-closed';
  readonly policy?: string;
  readonly reason: string;
  readonly at: number;
}

/** The guard's own health, sent now and then. */
export interface WireGuardStatus {
  readonly gatewayVersion: string;
  /** The gateway version is one this guard was tested against. */
  readonly compatible: boolean;
  /** Hook handler time in microseconds over the recent calls. */
  readonly hooks: { readonly calls: number; readonly p50us: number; readonly p99us: number; readonly maxUs: number };
  readonly blocked: number;
  readonly refused: number;
  /** Usage records waiting to be delivered (the daemon was away). */
  readonly pending: number;
  readonly dropped: number;
}

/** The body of a report POST. */
export interface GuardReport {
  readonly usage?: readonly WireUsageRecord[];
  readonly events?: readonly WireGuardEvent[];
  readonly status?: WireGuardStatus;
}
