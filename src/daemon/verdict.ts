import { compileWhen, conditionModules } from '../conditions/index.js';
import type { CompiledCondition, ConditionContext } from '../conditions/types.js';
import type { Measurement } from '../domain/decision.js';
import type { Policy } from '../policy/types.js';
import type { ConditionVerdict } from '../http/view.js';

export type { ConditionVerdict } from '../http/view.js';

/**
 * A policy's `when` as a whole, measured now: `ratio` is how close the policy is to firing — for `all` its
 * least-satisfied part, for `any` its most-satisfied one, for `not` 1 or 0 — so it never reads "exceeded" because one
 * condition of an `all` passed its threshold while another did not hold. `text` names the part that sets the ratio.
 */
export interface WhenVerdict {
  readonly holds: boolean | undefined;
  readonly ratio: number | undefined;
  readonly text: string;
  readonly conditions: readonly ConditionVerdict[];
}

type Node =
  | { readonly kind: 'all' | 'any'; readonly kids: readonly Node[] }
  | { readonly kind: 'not'; readonly kid: Node }
  | { readonly kind: 'leaf'; readonly name: string; readonly condition: CompiledCondition };

interface Result {
  readonly holds: boolean | undefined;
  readonly ratio: number | undefined;
  readonly text: string;
}

/** Compiled trees per policy object: a reload brings new policy objects, so nothing stale is ever reused. */
const trees = new WeakMap<Policy, Node | null>();

/** The verdict of the policy's condition on a context (as the engine builds it); undefined when its `when` cannot be walked. */
export function whenVerdict(policy: Policy, context: ConditionContext): WhenVerdict | undefined {
  let tree = trees.get(policy);
  if (tree === undefined) {
    tree = build(policy.raw.when, policy) ?? null;
    trees.set(policy, tree);
  }
  if (tree === null) return undefined;
  const conditions: ConditionVerdict[] = [];
  const result = walk(tree, context, 0, conditions);
  return { ...result, conditions };
}

/** The `when` as written, each leaf compiled alone by the same condition modules the policy was compiled with. */
function build(raw: unknown, policy: Policy): Node | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const parts: Node[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value)) return undefined;
      const kids = value.map((v) => build(v, policy));
      if (!kids.every((k): k is Node => k !== undefined)) return undefined;
      parts.push({ kind: key, kids });
    } else if (key === 'not') {
      const kid = build(value, policy);
      if (!kid) return undefined;
      parts.push({ kind: 'not', kid });
    } else {
      const { condition } = compileWhen({ [key]: value }, policy.scope, conditionModules);
      if (!condition) return undefined;
      parts.push({ kind: 'leaf', name: key, condition });
    }
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'all', kids: parts };
}

function walk(node: Node, context: ConditionContext, depth: number, out: ConditionVerdict[]): Result {
  if (node.kind === 'leaf') {
    const r = node.condition.evaluate(context);
    const m: Measurement | undefined = r.measurements[0];
    const text = m?.text ?? node.name;
    if (r.unknown) {
      out.push({ depth, text: `${node.name}: not known yet`, holds: undefined });
      return { holds: undefined, ratio: undefined, text: `${node.name}: not known yet` };
    }
    const ratio = m?.ratio !== undefined && Number.isFinite(m.ratio) ? m.ratio : m?.ratio === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : r.matched ? 1 : 0;
    out.push({ depth, text, holds: r.matched, ratio, ...(m ? { metric: m.metric, value: m.value, op: m.op, threshold: m.threshold } : {}) });
    return { holds: r.matched, ratio, text };
  }
  if (node.kind === 'not') {
    const at = out.length;
    out.push({ depth, text: 'not', holds: undefined });
    const kid = walk(node.kid, context, depth + 1, out);
    const holds = kid.holds === undefined ? undefined : !kid.holds;
    // A negated threshold is not approached by spending more: it either holds or does not.
    const ratio = holds === undefined ? undefined : holds ? 1 : 0;
    out[at] = { depth, text: 'not', holds, ...(ratio !== undefined ? { ratio } : {}) };
    return { holds, ratio, text: `not (${kid.text})` };
  }
  const at = out.length;
  out.push({ depth, text: `${node.kind} of`, holds: undefined });
  const kids = node.kids.map((k) => walk(k, context, depth + 1, out));
  const known = kids.filter((k) => k.ratio !== undefined);
  let holds: boolean | undefined;
  let pick: Result | undefined;
  if (node.kind === 'all') {
    holds = kids.some((k) => k.holds === false) ? false : kids.some((k) => k.holds === undefined) ? undefined : true;
    // The least-satisfied part decides how close the whole is.
    for (const k of known) if (pick === undefined || k.ratio! < pick.ratio!) pick = k;
  } else {
    holds = kids.some((k) => k.holds === true) ? true : kids.some((k) => k.holds === undefined) ? undefined : false;
    for (const k of known) if (pick === undefined || k.ratio! > pick.ratio!) pick = k;
  }
  const ratio = holds === undefined && node.kind === 'all' && !kids.some((k) => k.holds === false) ? undefined : pick?.ratio;
  out[at] = { depth, text: `${node.kind} of`, holds, ...(ratio !== undefined ? { ratio } : {}) };
  return { holds, ratio, text: pick?.text ?? `${node.kind} of` };
}
