import type { ErrorObject } from 'ajv';
import { closest, type Problem, type Segment } from '../domain/problem.js';

/** Options for describing problems: values at secret paths are never echoed. */
export interface ProblemOptions {
  readonly isSecret?: (path: readonly Segment[]) => boolean;
}

/**
 * Turns ajv's errors (allErrors + verbose) into the few problems that matter, still relative to the validated value:
 * one branch of each anyOf, no `if` noise, each message saying what was wrong and what is allowed.
 */
export function schemaProblems(errors: readonly ErrorObject[], options: ProblemOptions = {}): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of narrow(errors)) {
    const problem = describe(error, options);
    const id = `${problem.path.join('/')}\u0000${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}

/**
 * The spots the schema rejected, as paths: a missing or unknown key is its own path (its siblings are fine), any
 * other error the value it is about. `if` errors only say "then failed" about a parent; the errors of `then` are deeper.
 */
export function rejectedPaths(errors: readonly ErrorObject[]): Segment[][] {
  return errors
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const path = pointerSegments(e.instancePath);
      const params = e.params as Record<string, unknown>;
      if (e.keyword === 'required') return [...path, String(params['missingProperty'])];
      if (e.keyword === 'additionalProperties') return [...path, String(params['additionalProperty'])];
      return path;
    });
}

/** True when one path lies on the other (equal, or one inside the other). */
export function overlaps(a: readonly Segment[], b: readonly Segment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `when.all[1].tokens.total`. */
export function formatPath(path: readonly Segment[]): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text ? `.${segment}` : segment;
  return text;
}

/** JSON pointer (`/sources/0/token`) to segments; numeric parts become indexes. */
export function pointerSegments(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function narrow(all: readonly ErrorObject[]): ErrorObject[] {
  // An `if` error only says "must match then"; the `then` errors beside it are the useful ones.
  let errors = all.filter((e) => e.keyword !== 'if');
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const combinator of combinators) {
    if (!errors.includes(combinator)) continue;
    const branches = branchesOf(errors, combinator);
    if (branches.size === 0) continue;
    const scored = [...branches.values()].map((members) => ({ members, score: score(members, combinator.instancePath) }));
    scored.sort((a, b) => b.score - a.score || a.members.length - b.members.length);
    const best = scored[0]!;
    const inside = new Set([...branches.values()].flat());
    if (best.score === -Infinity) {
      // Nothing matched even in shape: one message listing the accepted forms.
      errors = errors.filter((e) => !inside.has(e));
    } else {
      errors = errors.filter((e) => e !== combinator && (!inside.has(e) || best.members.includes(e)));
    }
  }
  return errors;
}

/** Errors belonging to each branch of an anyOf/oneOf error, keyed by branch. */
function branchesOf(errors: readonly ErrorObject[], combinator: ErrorObject): Map<string, ErrorObject[]> {
  const prefix = `${combinator.schemaPath}/`;
  const parent = combinator.schemaPath.replace(/\/(anyOf|oneOf)$/, '/');
  const under = (e: ErrorObject): boolean => e.instancePath === combinator.instancePath || e.instancePath.startsWith(`${combinator.instancePath}/`);
  const branches = new Map<string, ErrorObject[]>();
  const add = (key: string, e: ErrorObject): void => {
    const list = branches.get(key) ?? [];
    list.push(e);
    branches.set(key, list);
  };
  const index = errors.indexOf(combinator);
  for (let i = index - 1; i >= 0; i--) {
    const e = errors[i]!;
    if (e.schemaPath.startsWith(prefix)) add(e.schemaPath.slice(prefix.length).split('/')[0]!, e);
    else if (under(e) && !e.schemaPath.startsWith(parent)) add(e.schemaPath.split('/').slice(0, 3).join('/'), e);
    else if (!under(e)) break;
  }
  return branches;
}

/** Deeper errors mean the branch matched more of the input; a shape mismatch at the combinator itself means the wrong branch. */
function score(members: readonly ErrorObject[], at: string): number {
  const mismatch = members.some((e) => e.instancePath === at && (e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'not'));
  if (mismatch) return -Infinity;
  return Math.max(...members.map((e) => pointerSegments(e.instancePath).length * 10 + (e.keyword === 'required' ? 0 : 1)));
}

function describe(error: ErrorObject, options: ProblemOptions): Problem {
  const path = pointerSegments(error.instancePath);
  const secret = options.isSecret?.(path) ?? false;
  const found = secret ? 'a secret' : show(error.data);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, { description?: string }>; propertyNames?: { title?: string } };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(parent.properties ?? {});
      // A schema names what its keys are (`propertyNames: { title: condition }`); plain settings are keys.
      const what = parent.propertyNames?.title ?? 'key';
      return withSuggestion({ code: 'UNKNOWN_KEY', path: [...path, key], target: 'key', message: `unknown ${what} "${key}"${expected(allowed)}`, allowed }, key);
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const description = parent.properties?.[key]?.description;
      return { code: 'SCHEMA', path, message: `missing required key "${key}"${description !== undefined ? `: ${description}` : ''}` };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return withSuggestion({ code: 'UNKNOWN_VALUE', path, message: `unknown ${noun(path)} ${found}${expected(allowed)}`, allowed }, String(error.data));
    }
    case 'const': {
      const allowed = [String(params['allowedValue'])];
      return { code: 'UNKNOWN_VALUE', path, message: `unknown ${noun(path)} ${found}${expected(allowed)}`, allowed };
    }
    case 'type':
      return { code: 'SCHEMA', path, message: `expected ${String(params['type']).replace(/,/g, ' or ')}, found ${secret ? found : kind(error.data)}` };
    case 'anyOf':
    case 'oneOf': {
      const allowed = forms(error.schema);
      return { code: 'SCHEMA', path, message: `${found} does not match any accepted form${expected(allowed ?? [])}`, ...(allowed ? { allowed } : {}) };
    }
    case 'pattern':
      return { code: 'SCHEMA', path, message: `${found} is not valid: expected ${parent.description ?? `a value matching ${String(params['pattern'])}`}` };
    case 'minItems': {
      const limit = Number(params['limit']);
      const n = Array.isArray(error.data) ? error.data.length : 0;
      return { code: 'SCHEMA', path, message: `expected ${limit === 1 ? 'a non-empty list' : `at least ${limit} items`}, found ${n === 0 ? 'an empty list' : `${n}`}` };
    }
    case 'minLength': {
      const limit = Number(params['limit']);
      return { code: 'SCHEMA', path, message: `expected ${limit === 1 ? 'a non-empty string' : `at least ${limit} characters`}, found ${found}` };
    }
    default:
      // A schema that says what it wants (`burn`: exactly one of tokens or cost, and per) says it better than ajv's keyword.
      if (parent.description !== undefined && (error.keyword === 'minProperties' || error.keyword === 'maxProperties'))
        return { code: 'SCHEMA', path, message: `expected ${parent.description}, found ${found}` };
      return { code: 'SCHEMA', path, message: `${error.message ?? 'invalid'}, found ${found}` };
  }
}

/** `; expected one of: a, b` (or `; expected: a` for a single value), so the message stands on its own. */
function expected(allowed: readonly string[]): string {
  if (allowed.length === 0) return '';
  return allowed.length === 1 ? `; expected: ${allowed[0]!}` : `; expected one of: ${allowed.join(', ')}`;
}

function withSuggestion(problem: Problem, found: string): Problem {
  const suggestion = problem.allowed ? closest(found, problem.allowed) : undefined;
  return suggestion === undefined ? problem : { ...problem, suggestion };
}

/** What an enum value is, from where it sits: `do[0]` holds an action, `type` a plugin type. */
function noun(path: readonly Segment[]): string {
  const named = [...path].reverse().find((s): s is string => typeof s === 'string');
  const nouns: Record<string, string> = { do: 'action', type: 'type', scope: 'scope', mode: 'mode', every: 'window period', cleanup: 'cleanup mode', format: 'format', state: 'state' };
  return (named !== undefined ? nouns[named] : undefined) ?? 'value';
}

function forms(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const result: string[] = [];
  for (const branch of schema as Record<string, unknown>[]) {
    if (Array.isArray(branch['enum'])) result.push(...(branch['enum'] as unknown[]).map(String));
    else if (branch['const'] !== undefined) result.push(typeof branch['const'] === 'string' ? branch['const'] : JSON.stringify(branch['const']));
    else if (Array.isArray(branch['required']) && branch['required'].length > 0) result.push(`{ ${(branch['required'] as string[]).join(', ')}: … }`);
    else if (typeof branch['description'] === 'string') result.push(branch['description']);
    else if (typeof branch['type'] === 'string') result.push(`${/^[aeiou]/.test(branch['type']) ? 'an' : 'a'} ${branch['type']}`);
  }
  return result.length > 0 ? result : undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value === null || typeof value !== 'object') return String(value);
  return kind(value);
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${show(value)}`;
}
