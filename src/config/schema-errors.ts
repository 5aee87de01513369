import type { ErrorObject } from 'ajv';
import { closest, type ConfigErrorCode } from './errors.js';
import type { Segment } from './yaml-file.js';

/** A schema violation narrowed to what a person can act on, still relative to the validated value. */
export interface SchemaIssue {
  readonly code: ConfigErrorCode;
  readonly path: readonly Segment[];
  /** Point at the key (unknown keys) rather than the value. */
  readonly target: 'value' | 'key';
  readonly message: string;
  readonly allowed?: readonly string[];
  readonly suggestion?: string;
}

/** Options for describing issues: values at secret paths are never echoed. */
export interface IssueOptions {
  readonly isSecret?: (path: readonly Segment[]) => boolean;
}

/** Turns ajv's errors (allErrors + verbose) into the few issues that matter: one branch of each anyOf, no `if` noise. */
export function schemaIssues(errors: readonly ErrorObject[], options: IssueOptions = {}): SchemaIssue[] {
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of narrow(errors)) {
    const issue = describe(error, options);
    const id = `${issue.path.join('/')}\u0000${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
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
  const combinators = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
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

function describe(error: ErrorObject, options: IssueOptions): SchemaIssue {
  const path = pointerSegments(error.instancePath);
  const secret = options.isSecret?.(path) ?? false;
  const found = secret ? 'a secret' : show(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return withSuggestion({ code: 'UNKNOWN_KEY', path: [...path, key], target: 'key', message: `unknown key "${key}"`, allowed }, key);
    }
    case 'required':
      return { code: 'SCHEMA', path, target: 'value', message: `missing required key "${String(params['missingProperty'])}"` };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return withSuggestion({ code: 'UNKNOWN_VALUE', path, target: 'value', message: `unknown ${noun(path)} ${found}`, allowed }, String(error.data));
    }
    case 'const':
      return { code: 'UNKNOWN_VALUE', path, target: 'value', message: `unknown ${noun(path)} ${found}`, allowed: [String(params['allowedValue'])] };
    case 'type':
      return { code: 'SCHEMA', path, target: 'value', message: `expected ${String(params['type']).replace(/,/g, ' or ')}, found ${secret ? found : kind(error.data)}` };
    case 'anyOf':
    case 'oneOf':
      return { code: 'SCHEMA', path, target: 'value', message: `${found} does not match any accepted form`, allowed: forms(error.schema) };
    case 'pattern': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return { code: 'SCHEMA', path, target: 'value', message: `${found} is not valid: expected ${description ?? `a value matching ${String(params['pattern'])}`}` };
    }
    default:
      return { code: 'SCHEMA', path, target: 'value', message: `${error.message ?? 'invalid'}, found ${found}` };
  }
}

function withSuggestion(issue: SchemaIssue, found: string): SchemaIssue {
  const suggestion = issue.allowed ? closest(found, issue.allowed) : undefined;
  return suggestion === undefined ? issue : { ...issue, suggestion };
}

/** What an enum value is, from where it sits: `do[0]` holds an action, `type` a plugin type. */
function noun(path: readonly Segment[]): string {
  const named = [...path].reverse().find((s): s is string => typeof s === 'string');
  const nouns: Record<string, string> = { do: 'action', type: 'type', scope: 'scope', mode: 'mode', every: 'window period', cleanup: 'cleanup mode', format: 'format' };
  return (named !== undefined ? nouns[named] : undefined) ?? 'value';
}

function forms(schema: unknown): string[] | undefined {
  if (!Array.isArray(schema)) return undefined;
  const result: string[] = [];
  for (const branch of schema as Record<string, unknown>[]) {
    if (Array.isArray(branch['enum'])) result.push(...(branch['enum'] as unknown[]).map(String));
    else if (branch['const'] !== undefined) result.push(typeof branch['const'] === 'string' ? branch['const'] : JSON.stringify(branch['const']));
    else if (Array.isArray(branch['required']) && branch['required'].length > 0) result.push(`{ ${(branch['required'] as string[]).join(', ')}: … }`);
    else if (typeof branch['type'] === 'string') result.push(`a ${branch['type']}`);
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
