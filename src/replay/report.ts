import type { Measurement } from '../engine/types.js';
import type { Gap } from './timeline.js';

/** One action the policies would have taken, with what it would have saved. */
export interface WouldAction {
  readonly policy: string;
  /** The session key acted on. */
  readonly session: string;
  readonly agent: string;
  readonly source: string;
  readonly action: string;
  /** ISO time. */
  readonly at: string;
  /** `violation` (the `do` list), `escalation` (a later rung), `release` (a window reset). */
  readonly kind: string;
  readonly step: number;
  /** What the platform would have answered: `done`, or `noop` (e.g. a stop with no run going). */
  readonly result: string;
  readonly reason: string;
  readonly measurements: readonly Pick<Measurement, 'metric' | 'value' | 'op' | 'threshold' | 'text'>[];
  /** Tokens (input + output + cache) and dollars of the calls this action would have prevented, and how many. */
  readonly savedTokens: number;
  readonly savedCost: number;
  readonly savedCalls: number;
  /** Set when the session's own activity ended shortly after anyway, or it was used again after being put away. */
  readonly falsePositive?: string;
}

/** An action the safety rules would have held back. */
export interface WouldRefusal {
  readonly policy: string;
  readonly session: string;
  readonly action: string;
  readonly at: string;
  readonly why: string;
}

export interface PolicySummary {
  readonly policy: string;
  /** The mode the config gives it (replay runs every policy as if enforced). */
  readonly mode: 'enforce' | 'observe';
  readonly actions: number;
  readonly notifications: number;
  /** Decisions that found nothing to do (a stop with no run going): not listed as actions. */
  readonly noops: number;
  readonly refused: number;
  readonly sessions: number;
  readonly savedTokens: number;
  readonly savedCost: number;
  readonly falsePositives: number;
}

export interface SessionSummary {
  readonly session: string;
  readonly agent: string;
  readonly calls: number;
  readonly tokens: number;
  readonly cost: number;
  readonly actions: number;
  readonly savedTokens: number;
  readonly savedCost: number;
}

/** What `clawwarden replay` reports. Deterministic: the same history and config give the same report. */
export interface ReplayReport {
  readonly origin: string;
  readonly config: string;
  /** ISO bounds of the period replayed. */
  readonly from: string;
  readonly to: string;
  readonly totals: {
    readonly sessions: number;
    readonly calls: number;
    readonly tokens: number;
    readonly cost: number;
    readonly actions: number;
    readonly savedTokens: number;
    readonly savedCost: number;
  };
  readonly policies: readonly PolicySummary[];
  readonly actions: readonly WouldAction[];
  readonly refused: readonly WouldRefusal[];
  readonly sessions: readonly SessionSummary[];
  readonly gaps: readonly Gap[];
  /** Policies that failed while replaying (skipped for that evaluation, as in the daemon). */
  readonly errors: readonly string[];
  /** Spend per agent over time and where each action would have happened, for the HTML chart. */
  readonly series: readonly AgentSeries[];
}

/** One agent's cumulative spend at points in time (as it happened, and as it would have with the actions). */
export interface AgentSeries {
  readonly agent: string;
  /** [epoch ms, cumulative dollars actually spent, cumulative dollars with the policies on]. */
  readonly points: readonly (readonly [number, number, number])[];
}

/** Rounds money to a millionth of a dollar and tokens to whole ones, so sums print the same on every run. */
export function money(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
