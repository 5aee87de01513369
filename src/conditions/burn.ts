import type { JSONSchemaType } from 'ajv';
import type { Usage } from '../domain/session.js';
import { totalTokens } from '../domain/session.js';
import type { CompiledCondition, ConditionContext } from './types.js';
import { PolicyValueError } from '../domain/problem.js';
import { compare, formatDuration, parseDuration, parseThreshold, UnitError, type Threshold } from '../domain/units.js';
import { budgetRatio, measurement, UNKNOWN } from './measure.js';

/** `burn: { tokens: "> 20k", per: 1m }` — usage within the last `per`, from the ledger's recent calls. */
/** `{ tokens | cost, per }` as written. */
export interface BurnValue {
  readonly tokens?: string | number;
  readonly cost?: string;
  readonly per: string;
}

export const name = 'burn';
export const description = 'Burn rate: tokens (all kinds) or cost spent within the last `per` (e.g. 1m, 10m).';
export const schema: JSONSchemaType<BurnValue> = {
  type: 'object',
  additionalProperties: false,
  propertyNames: { title: 'burn key' },
  required: ['per'],
  // Exactly one of tokens or cost beside per.
  minProperties: 2,
  maxProperties: 2,
  description: 'exactly one of tokens or cost, and per, e.g. { tokens: "> 20k", per: 1m }',
  properties: {
    tokens: { type: ['string', 'number'], nullable: true, description: 'comparison with a token count, e.g. "> 20k"' },
    cost: { type: 'string', nullable: true, description: 'comparison with a dollar amount, e.g. "> $1"' },
    per: { type: 'string', description: 'the period the rate is measured over, e.g. per: 1m' },
  },
};
export const example = 'when: { burn: { tokens: "> 20k", per: 1m } }';
export const scopes = ['session', 'agent', 'fleet'] as const;

function at<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UnitError) throw new PolicyValueError(error.code, error.message, [path]);
    throw error;
  }
}

/** Compiles `{tokens|cost, per}`; unknown usage never matches. */
export function compile(raw: BurnValue): CompiledCondition {
  const per = at('per', () => parseDuration(raw.per));
  if (per <= 0) throw new PolicyValueError('E_BURN', 'per must be longer than 0s', ['per']);
  const money = raw.cost !== undefined;
  const threshold: Threshold = money ? at('cost', () => parseThreshold(raw.cost, 'money')) : at('tokens', () => parseThreshold(raw.tokens, 'count'));
  const { op, value: limit } = threshold;
  const unit = `/${formatDuration(per)}`;

  const pick = (u: Readonly<Usage>): number => (money ? u.cost : totalTokens(u));
  const read = (context: ConditionContext): number | undefined => {
    const from = context.now - per;
    if (context.aggregate) return context.recent ? pick(context.recent(from, context.now + 1)) : undefined;
    const usage = context.usage;
    if (usage === undefined || !usage.known) return undefined;
    // A baseline (e.g. the whole history after a fresh start) lands at one instant; counting it as one minute's burn
    // would stop a healthy session. The rate is unknown until a full period of live calls has been seen.
    if (usage.baselineAt !== undefined && usage.baselineAt >= from) return undefined;
    // Nothing spent since `from`: skip summing (this runs for every session on every sweep).
    if (usage.lastUsageAt !== undefined && usage.lastUsageAt < from) return 0;
    return pick(usage.between(from, context.now + 1));
  };
  return {
    usesUsage: true,
    holds(context) {
      const v = read(context);
      return v !== undefined && compare(v, op, limit);
    },
    evaluate(context) {
      const v = read(context);
      if (v === undefined) return UNKNOWN;
      return { matched: compare(v, op, limit), measurements: [measurement(money ? 'burn cost' : 'burn tokens', v, threshold, money ? 'money' : 'count', unit)] };
    },
    budget(context) {
      if (op !== '>' && op !== '>=') return 0;
      const v = read(context);
      return v === undefined ? 0 : budgetRatio(v, limit);
    },
  };
}
