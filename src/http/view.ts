import type { ActionName, ActionResult } from '../domain/action.js';
import type { ManualAction } from '../actions/index.js';
import type { Decision, Mode } from '../domain/decision.js';
import type { SessionFilter, SessionView } from '../domain/session-view.js';
import type { SessionMark } from '../domain/mark.js';
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

/** What an unmark cancelled (nothing when the session had no mark). */
export interface UnmarkOutcome {
  readonly key: string;
  readonly cancelled: readonly SessionMark[];
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly configLoaded: boolean;
  readonly sources: readonly { readonly name: string; readonly up: boolean; readonly synced: boolean; readonly guard?: GuardSummary }[];
  readonly lastSweepAt?: number;
  /** Every source is the built-in demo fleet (`clawwarden run --demo`, `npm start`): the console says where its token is printed. */
  readonly demo: boolean;
}

/** Live updates pushed to SSE clients. */
export type WardenUpdate = { readonly type: 'sessions'; readonly at: number } | { readonly type: 'decision'; readonly decision: Decision } | { readonly type: 'journal'; readonly entry: JournalEntry };

/** What the HTTP API, console and CLI-through-daemon need from the running daemon. */
export interface WardenView {
  readiness(): ReadinessReport;
  mode(): Mode;
  /** The sessions with the console's extras (verdicts, note, ladder, recent spend) where the view has them. */
  sessions(filter?: SessionFilter): BoardSessionView[];
  /** One session with its recent decisions and actions from the journal and, where known, its recent model calls. */
  session(key: string): (BoardSessionView & { readonly decisions: readonly JournalEntry[]; readonly calls?: readonly CallRecord[] }) | undefined;
  policies(): readonly { readonly name: string; readonly description?: string; readonly scope: string; readonly mode: Mode; readonly raw: Readonly<Record<string, unknown>> }[];
  journal(query: { readonly since?: number; readonly session?: string; readonly limit: number; readonly before?: number }): Promise<JournalEntry[]>;
  /** Manual action by key(s); goes through the enforcer (holds, journal). */
  /** `by` is the origin (api, cli, console); `force` acts past protection and the blast-radius limit (journaled). */
  act(action: ManualAction, keys: readonly string[], options: { readonly by: string; readonly dryRun: boolean; readonly force?: boolean }): Promise<ActionOutcome[]>;
  /**
   * Cancels the marks on the session with this key (an operator's undo of a notice), journaled with `by`; undefined
   * when no session or mark has that key.
   */
  unmark(key: string, by: string): Promise<UnmarkOutcome | undefined>;
  /** Protected sessions are refused and a batch past the blast-radius limit is refused whole, unless `force`. */
  cleanup(options: {
    readonly ageMs?: number;
    readonly idleMs?: number;
    readonly agent?: string;
    readonly mode: 'archive' | 'delete';
    readonly dryRun: boolean;
    readonly by: string;
    readonly force?: boolean;
  }): Promise<ActionOutcome[]>;
  subscribe(listener: (update: WardenUpdate) => void): () => void;
  /**
   * Why each policy (or only `policy`) does or does not act on the session with this key, with its numbers
   * (`clawwarden explain`); undefined when there is no such session. A view without it answers 501.
   */
  explain?(key: string, policy?: string): SessionExplanation | undefined;
  /** Spend per agent and for the fleet over a range, from the ledger's minute buckets (`GET /api/v1/spend`); a view without it answers 501. */
  spend?(query: SpendQuery): Promise<SpendSeries>;
  /** The console's header and budget rows (`GET /api/v1/overview`); a view without it answers 501. */
  overview?(query: { readonly tz: string }): Promise<FleetOverview>;
}

/** One policy's own verdict on one session, for the console's bars: never "over" unless the policy as a whole fires. */
export interface PolicyVerdict {
  readonly policy: string;
  /** How close the policy as a whole is to firing: `all` → its least-satisfied condition, `any` → its most satisfied; 1 = at the threshold. */
  readonly ratio: number;
  /** The policy's condition holds now (the engine's own evaluation). */
  readonly fires: boolean;
  /** ok · warn (past the policy's warn level, 80% without one) · over (fires, not acted on yet) · handled (fired and its action went through) · unknown (usage not known yet). */
  readonly level: 'ok' | 'warn' | 'over' | 'handled' | 'unknown';
  readonly warnAt?: number;
  /** The condition that sets `ratio`, with its measured value: `ratio.input_output 2.31 > 40`. */
  readonly text: string;
  /** Every part of the policy's `when`, measured now (in one session's detail, not in the list). */
  readonly conditions?: readonly ConditionVerdict[];
  /** When the policy acted on this session generation (its episode's first step), epoch ms. */
  readonly handledAt?: number;
}

/** The latest thing clawwarden did to a session, from the journal: `Stopped by session-token-cap at 14:02 — tokens.total 231,402 > 200,000`. */
export interface SessionNote {
  readonly action: string;
  readonly result: string;
  /** `policy`, `api`, `cli`, `console`. */
  readonly by: string;
  readonly policy?: string;
  readonly mode?: Mode;
  /** Epoch ms. */
  readonly at: number;
  /** The measured crossing (`tokens.total 231,402 > 200,000`), or the operator's request. */
  readonly reason: string;
  /** What the platform answered, for a failed or refused action. */
  readonly detail?: string;
}

/** The next rung of a policy's escalation ladder for a session, from the enforcement state's episode. */
export interface LadderStep {
  readonly policy: string;
  /** 1 = escalate[0]. */
  readonly step: number;
  readonly actions: readonly string[];
  /** Epoch ms it comes due. */
  readonly due: number;
  /** Only taken if the session is still running then. */
  readonly ifActive: boolean;
}

/** A session as the console shows it: the session view plus verdicts, the last action's note, the ladder and recent spend. */
export interface BoardSessionView extends SessionView {
  readonly verdicts?: readonly PolicyVerdict[];
  readonly note?: SessionNote;
  readonly next?: LadderStep;
  /** Cost per minute over the last SPARK_MINUTES minutes, oldest first. */
  readonly spark?: readonly number[];
  /** Spend over the last few minutes, as rates. */
  readonly burn?: { readonly costPerHour: number; readonly tokensPerMinute: number };
}

/** One model call of a session, from the ledger's recent calls. */
export interface CallRecord {
  /** Epoch ms the call completed. */
  readonly at: number;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  /** cacheRead + cacheWrite (`tokens.cache`), served so the console never re-derives it. */
  readonly cache: number;
  /** Every token of the call (`tokens.total`). */
  readonly total: number;
  readonly cost: number;
}

export type SpendRange = '1h' | '24h' | '7d';

export interface SpendQuery {
  readonly range: SpendRange;
  /** Agents shown by name (largest spend in the range first); the rest are summed as `other`. */
  readonly top: number;
}

/** Spend per step (bucket start times in `times`), per agent and for the whole fleet, cost in USD and tokens. */
export interface SpendSeries {
  readonly range: SpendRange;
  /** Bucket width, ms (1 min, 15 min, 1 h). */
  readonly step: number;
  readonly from: number;
  readonly to: number;
  /** Start of each bucket, epoch ms. */
  readonly times: readonly number[];
  readonly agents: readonly { readonly agent: string; readonly cost: readonly number[]; readonly tokens: readonly number[] }[];
  /** The agents past `top`, summed; absent when there are none. */
  readonly other?: { readonly agents: number; readonly cost: readonly number[]; readonly tokens: readonly number[] };
  readonly fleet: { readonly cost: readonly number[]; readonly tokens: readonly number[] };
  /** The even pace of each agent- or fleet-scope budget per step (threshold × step ÷ window): a bar above it spends faster than the budget allows. */
  readonly budgets: readonly {
    readonly policy: string;
    readonly scope: 'agent' | 'fleet';
    readonly metric: 'cost' | 'tokens';
    readonly threshold: number;
    readonly windowMs: number;
    readonly perStep: number;
  }[];
  /** Where clawwarden acted (policy actions, manual ones too), oldest first. */
  readonly markers: readonly {
    readonly at: number;
    readonly action: string;
    readonly result: string;
    readonly by: string;
    readonly policy?: string;
    readonly session?: string;
    readonly agent?: string;
    readonly reason: string;
  }[];
}

/** One agent- or fleet-scope budget of one subject, in its current window. */
export interface BudgetRow {
  readonly policy: string;
  readonly scope: 'agent' | 'fleet';
  /** `agent planner`, `fleet`. */
  readonly subject: string;
  readonly agent?: string;
  readonly source?: string;
  /** What the threshold measures: `cost`, `tokens.total`, … */
  readonly metric: string;
  readonly spent: number;
  readonly threshold: number;
  /** The policy's verdict as a whole (see PolicyVerdict). */
  readonly ratio: number;
  readonly fires: boolean;
  readonly level: PolicyVerdict['level'];
  readonly warnAt?: number;
  readonly text: string;
  /** Window bounds, epoch ms; absent for a policy without a window (all time). */
  readonly window?: { readonly start: number; readonly end: number };
  /** Spend rate over the last BURN_MINUTES, per hour in the metric's unit. */
  readonly perHour: number;
  /** When the budget runs out at that rate, epoch ms; absent when it is not spending or lasts past the window's end. */
  readonly runsOutAt?: number;
}

/** The console's header: fleet spend and budget, today, burn now, sessions by state, sources; and the budget rows. */
export interface FleetOverview {
  readonly at: number;
  readonly mode: Mode;
  readonly demo: boolean;
  /** The fleet's spend in the current window of the first fleet-scope policy with a cost or token threshold. */
  readonly fleetBudget?: BudgetRow;
  /** Spend since local midnight in `tz`. */
  readonly today: { readonly since: number; readonly tz: string; readonly cost: number; readonly tokens: number };
  /** Over the last BURN_MINUTES minutes. */
  readonly burn: { readonly minutes: number; readonly costPerHour: number; readonly tokensPerMinute: number };
  readonly states: Readonly<Record<string, number>>;
  readonly sessions: number;
  readonly sources: ReadinessReport['sources'];
  readonly budgets: readonly BudgetRow[];
}

/** One leaf condition of a policy's `when`, measured now: `tokens.input 365,000 > 50,000` holds, with its ratio. */
export interface ConditionVerdict {
  /** Nesting under `all` / `any` / `not` (0 = top). */
  readonly depth: number;
  /** `tokens.total 231,402 > 200,000`, or `all of` / `any of` / `not` for a combinator line. */
  readonly text: string;
  /** true holds, false does not, undefined: the data is missing (unknown usage). */
  readonly holds: boolean | undefined;
  /** How close this part is to holding: value ÷ threshold for "greater" thresholds, else 1 when it holds and 0 when not. */
  readonly ratio?: number;
  /** A leaf's measurement: what it measured (`cost`, `tokens.total`, …), the value and the threshold. */
  readonly metric?: string;
  readonly value?: number;
  readonly op?: string;
  readonly threshold?: number;
}

/** A source's in-gateway guard as /readyz, the console and `sessions list` show it (absent: no guard configured). */
export interface GuardSummary {
  /** A guard holds its verdict stream open right now. */
  readonly up: boolean;
  readonly compatible?: boolean;
  readonly gatewayVersion?: string;
  /** Something an operator should act on (a version mismatch, no guard while hard caps depend on it). */
  readonly problem?: string;
}
