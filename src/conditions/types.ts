import type { Session, Usage } from '../domain/session.js';
import type { SessionUsageView } from '../ledger/types.js';
import type { Hold, Measurement } from '../domain/decision.js';
import type { PluginModule } from '../plugin.js';

/** What a condition sees. For agent/fleet scopes `session` is absent and `aggregate` holds the window's sums. */
export interface ConditionContext {
  readonly now: number;
  readonly session?: Session;
  readonly usage?: SessionUsageView;
  /** Sum over the subject's sessions (within the budget window when the policy has one). */
  readonly aggregate?: Readonly<Usage>;
  /** clawwarden's hold or pause on this session, if any (for `state`). */
  readonly hold?: Hold;
  /** Aggregate scopes: usage of the subject's sessions with a timestamp in [from, to) (for `burn`). */
  readonly recent?: (from: number, to: number) => Readonly<Usage>;
}

/** `unknown`: the data needed was missing (usage not yet known): the policy must not fire on it. */
export interface ConditionResult {
  readonly matched: boolean;
  readonly unknown?: boolean;
  /** When unknown: what is missing, in words (for explain). */
  readonly reason?: string;
  readonly measurements: readonly Measurement[];
}

/** A compiled `when` tree. `budget` returns max(value/threshold) over its "greater" thresholds (0..∞), for warn and budget bars. */
export interface CompiledCondition {
  evaluate(context: ConditionContext): ConditionResult;
  budget(context: ConditionContext): number;
  /** Needs the ledger (tokens, cost, ratio, burn): skip on unknown usage. */
  readonly usesUsage: boolean;
  /** Allocation-free fast path: true exactly when `evaluate(context).matched` would be (the engine's hot loop). */
  holds?(context: ConditionContext): boolean;
}

/** A condition plugin (`tokens.total`, `idle`, …): schema of its YAML value and a compiler. */
export interface ConditionModule extends PluginModule {
  /** Which scopes it makes sense in. */
  readonly scopes: readonly ('session' | 'agent' | 'fleet')[];
  compile(value: unknown): CompiledCondition;
}
