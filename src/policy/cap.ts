import { parseThreshold, UnitError } from '../domain/units.js';
import type { PolicyAction } from '../domain/decision.js';

/** Conditions a cap can be on: the session's (or window's) usage totals. */
export const CAP_METRICS = ['tokens.total', 'tokens.input', 'tokens.output', 'tokens.cache', 'cost'] as const;
export type CapMetric = (typeof CAP_METRICS)[number];

/** A token or cost cap: `when: { tokens.total: "> 40k" }` is { metric: tokens.total, limit: 40000, inclusive: false }. */
export interface Cap {
  readonly metric: CapMetric;
  readonly limit: number;
  /** `>=`: the limit itself violates. */
  readonly inclusive: boolean;
}

/**
 * The cap a policy's `when` is, or a sentence saying why it is not one: exactly one token or cost condition compared
 * with `>` or `>=` (a cap the guard can hold at the tool boundary, and project the next call against).
 */
export function capOf(when: unknown): Cap | string {
  if (when === null || typeof when !== 'object' || Array.isArray(when)) return 'its "when" is not a single condition';
  const entries = Object.entries(when as Record<string, unknown>);
  if (entries.length !== 1) return `its "when" must be exactly one of ${CAP_METRICS.join(', ')}, not a combination`;
  const [metric, raw] = entries[0]!;
  if (!(CAP_METRICS as readonly string[]).includes(metric)) return `its "when" is ${metric}; a cap is one of ${CAP_METRICS.join(', ')}`;
  try {
    const threshold = parseThreshold(raw, metric === 'cost' ? 'money' : 'count');
    if (threshold.op !== '>' && threshold.op !== '>=') return `its ${metric} threshold uses ${threshold.op}; a cap is "> limit" or ">= limit"`;
    return { metric: metric as CapMetric, limit: threshold.value, inclusive: threshold.op === '>=' };
  } catch (error) {
    if (error instanceof UnitError) return error.message;
    throw error;
  }
}

/** The first action of a `do` list that ends work on a session (what a cap enforces), if any. */
export function enforcingAction(actions: readonly PolicyAction[]): 'stop' | 'kill' | 'pause' | undefined {
  for (const a of actions) if (a.action === 'stop' || a.action === 'kill' || a.action === 'pause') return a.action;
  return undefined;
}
