import type { JSONSchemaType } from 'ajv';
import type { Usage } from '../domain/session.js';
import type { Comparison, Measurement } from '../domain/decision.js';
import type { CompiledCondition, ConditionContext, ConditionResult } from './types.js';
import { compare, formatQuantity, parseThreshold, type Quantity, type Threshold } from '../domain/units.js';

/** Shared result for "the data needed is missing": never matches, allocated once per compiled condition. */
export const UNKNOWN: ConditionResult = Object.freeze({ matched: false, unknown: true, measurements: Object.freeze([]) });

/** The usage a usage condition reads: the window's aggregate in agent/fleet scope, else the session's known totals. */
export function usageOf(context: ConditionContext): Readonly<Usage> | undefined {
  if (context.aggregate) return context.aggregate;
  const usage = context.usage;
  return usage !== undefined && usage.known ? usage.totals : undefined;
}

/** Builds one measurement with its human text (`tokens.total 231,402 > 200,000`). */
export function measurement(metric: string, value: number, threshold: Threshold, quantity: Quantity, unit = ''): Measurement {
  const greater = threshold.op === '>' || threshold.op === '>=';
  return {
    metric,
    value,
    op: threshold.op,
    threshold: threshold.value,
    text: `${metric} ${formatQuantity(value, quantity)}${unit} ${threshold.op} ${formatQuantity(threshold.value, quantity)}`,
    ...(greater ? { ratio: budgetRatio(value, threshold.value) } : {}),
  };
}

/** value/threshold, with a zero threshold counting as fully used once anything is measured. */
export function budgetRatio(value: number, threshold: number): number {
  if (threshold > 0) return value / threshold;
  return value > 0 ? Number.POSITIVE_INFINITY : 0;
}

function isGreater(op: Comparison): boolean {
  return op === '>' || op === '>=';
}

/**
 * A condition comparing one number read from the context against a threshold.
 * `read` returns undefined when the data is missing (→ unknown, never fires).
 */
export function thresholdCondition(metric: string, raw: ThresholdValue, quantity: Quantity, usesUsage: boolean, read: (context: ConditionContext) => number | undefined): CompiledCondition {
  const threshold = parseThreshold(raw, quantity);
  const { op, value: limit } = threshold;
  const greater = isGreater(op);
  return {
    usesUsage,
    holds(context) {
      const value = read(context);
      return value !== undefined && compare(value, op, limit);
    },
    evaluate(context) {
      const value = read(context);
      if (value === undefined) return UNKNOWN;
      return { matched: compare(value, op, limit), measurements: [measurement(metric, value, threshold, quantity)] };
    },
    budget(context) {
      if (!greater) return 0;
      const value = read(context);
      return value === undefined ? 0 : budgetRatio(value, limit);
    },
  };
}

/** A threshold as written: `"> 200k"`, or a plain number (meaning `>`). */
export type ThresholdValue = string | number;

/** Schema of a threshold value; the condition's compile checks the comparison and the unit. */
export function thresholdSchema(description: string): JSONSchemaType<ThresholdValue> {
  return { type: ['string', 'number'], description };
}
