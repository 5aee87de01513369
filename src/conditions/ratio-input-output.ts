import type { CompiledCondition } from './types.js';
import { thresholdCondition, thresholdSchema, usageOf, type ThresholdValue } from './measure.js';

/** `ratio.input_output: "> 40"` — input tokens per output token; high means much reading, little doing. */
export const name = 'ratio.input_output';
export const description = 'Input tokens divided by output tokens (plain ratio); no output yet with some input counts as infinite.';
export const schema = thresholdSchema('comparison with a plain ratio, e.g. "> 40"');
export const example = 'when: { all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 40" } ] }';
export const scopes = ['session', 'agent', 'fleet'] as const;

/** Compiles the threshold; unknown usage never matches. */
export function compile(value: ThresholdValue): CompiledCondition {
  return thresholdCondition(name, value, 'ratio', true, (context) => {
    const u = usageOf(context);
    if (u === undefined) return undefined;
    if (u.output > 0) return u.input / u.output;
    return u.input > 0 ? Number.POSITIVE_INFINITY : 0;
  });
}
