import type { Measurement, Scope } from '../domain/decision.js';
import type { CompiledCondition, ConditionModule, ConditionResult } from './types.js';
import { PolicyValueError, type Problem, type Segment } from '../domain/problem.js';
import { UnitError } from '../domain/units.js';
import { UNKNOWN } from './measure.js';

/** The combinator keys of a `when` object. */
export const COMBINATORS = ['all', 'any', 'not'] as const;

/** JSON schema definitions for `when` (recursive through `#/definitions/when`), enumerating every key. */
export function whenSchema(modules: readonly ConditionModule[]): object {
  const properties: Record<string, object> = {};
  for (const m of modules) properties[m.name] = m.schema;
  properties.all = { type: 'array', minItems: 1, items: { $ref: '#/definitions/when' }, description: 'every listed condition holds' };
  properties.any = { type: 'array', minItems: 1, items: { $ref: '#/definitions/when' }, description: 'at least one listed condition holds' };
  properties.not = { $ref: '#/definitions/when', description: 'the condition does not hold' };
  return {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    propertyNames: { title: 'condition' },
    description: 'a condition like { tokens.total: "> 200k" }, or all/any/not of conditions',
    properties,
  };
}

type Path = readonly Segment[];

/**
 * Compiles a `when` object (several keys = all of them) that whenSchema() accepts, wherever `accepted` says the schema
 * found nothing wrong (the rest is skipped: the schema reported it). Reports what a schema cannot say (a condition
 * outside its scopes, a unit, a period) with its path; `condition` only when there are no problems and nothing was skipped.
 */
export function compileWhen(
  raw: unknown,
  scope: Scope,
  modules: readonly ConditionModule[],
  path: Path = ['when'],
  accepted: (path: Path) => boolean = () => true,
): { condition?: CompiledCondition; problems: Problem[] } {
  const problems: Problem[] = [];
  const byName = new Map(modules.map((m) => [m.name, m]));
  const walk = (value: unknown, at: Path): CompiledCondition | undefined => {
    // Anything but a map is a shape the schema rejected (and reported).
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const parts: (CompiledCondition | undefined)[] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const here = [...at, key];
      if (key === 'all' || key === 'any') {
        if (!Array.isArray(child)) {
          parts.push(undefined);
          continue;
        }
        const kids = child.map((c, i) => walk(c, [...here, i]));
        parts.push(kids.length > 0 && kids.every(Boolean) ? combine(key, kids as CompiledCondition[]) : undefined);
        continue;
      }
      if (key === 'not') {
        const kid = walk(child, here);
        parts.push(kid && negate(kid));
        continue;
      }
      const module = byName.get(key);
      if (!module || !accepted(here)) {
        parts.push(undefined);
        continue;
      }
      if (!module.scopes.includes(scope)) {
        problems.push({ code: 'POLICY', path: here, message: `"${key}" describes one session and cannot be used with scope: ${scope}; it is valid in scope: ${module.scopes.join(', ')}` });
        parts.push(undefined);
        continue;
      }
      try {
        parts.push(module.compile(child));
      } catch (error) {
        if (error instanceof PolicyValueError) {
          problems.push({ code: 'POLICY', path: [...here, ...error.path], message: error.message, ...(error.allowed ? { allowed: [...error.allowed] } : {}) });
        } else if (error instanceof UnitError) {
          problems.push({ code: 'POLICY', path: here, message: error.message });
        } else {
          throw error;
        }
        parts.push(undefined);
      }
    }
    if (parts.length === 0 || !parts.every(Boolean)) return undefined;
    return parts.length === 1 ? parts[0] : combine('all', parts as CompiledCondition[]);
  };
  const condition = walk(raw, path);
  return problems.length === 0 && condition ? { condition, problems } : { problems };
}

function combine(kind: 'all' | 'any', kids: readonly CompiledCondition[]): CompiledCondition {
  const n = kids.length;
  const usesUsage = kids.some((k) => k.usesUsage);
  if (kind === 'all') {
    return {
      usesUsage,
      holds(context) {
        for (let i = 0; i < n; i++) if (!holds(kids[i]!, context)) return false;
        return true;
      },
      evaluate(context) {
        const results = kids.map((k) => k.evaluate(context));
        if (results.some((r) => !r.matched && !r.unknown)) return { matched: false, measurements: flatten(results) };
        if (results.some((r) => r.unknown)) return UNKNOWN;
        return { matched: true, measurements: flatten(results) };
      },
      budget: (context) => maxBudget(kids, context),
    };
  }
  return {
    usesUsage,
    holds(context) {
      for (let i = 0; i < n; i++) if (holds(kids[i]!, context)) return true;
      return false;
    },
    evaluate(context) {
      const results = kids.map((k) => k.evaluate(context));
      const hits = results.filter((r) => r.matched);
      if (hits.length > 0) return { matched: true, measurements: flatten(hits) };
      if (results.some((r) => r.unknown)) return UNKNOWN;
      return { matched: false, measurements: flatten(results) };
    },
    budget: (context) => maxBudget(kids, context),
  };
}

function negate(kid: CompiledCondition): CompiledCondition {
  return {
    usesUsage: kid.usesUsage,
    holds(context) {
      const r = kid.evaluate(context);
      return !r.matched && !r.unknown;
    },
    evaluate(context) {
      const r = kid.evaluate(context);
      if (r.unknown) return UNKNOWN;
      const measurements: Measurement[] = r.measurements.map((m) => ({ metric: m.metric, value: m.value, op: m.op, threshold: m.threshold, text: `not (${m.text})` }));
      return { matched: !r.matched, measurements };
    },
    // A negated threshold is never "approached" by using more, so it adds nothing to the budget.
    budget: () => 0,
  };
}

function holds(condition: CompiledCondition, context: Parameters<CompiledCondition['evaluate']>[0]): boolean {
  return condition.holds ? condition.holds(context) : condition.evaluate(context).matched;
}

function flatten(results: readonly ConditionResult[]): Measurement[] {
  return results.flatMap((r) => r.measurements);
}

function maxBudget(kids: readonly CompiledCondition[], context: Parameters<CompiledCondition['evaluate']>[0]): number {
  let max = 0;
  for (const k of kids) max = Math.max(max, k.budget(context));
  return max;
}
