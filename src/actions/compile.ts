import type { PolicyAction } from '../domain/decision.js';
import type { ActionName } from '../domain/action.js';
import type { ActionModule } from './types.js';
import { closest, PolicyValueError, type PolicyProblem } from '../domain/problem.js';
import { NOTICE_EXAMPLE, NOTICE_SCHEMA, noticeValue } from './notice.js';

type Path = readonly (string | number)[];

/** JSON schema of a `do` value: one action or a list; each is a bare word or a one-key object. */
export function doSchema(modules: readonly ActionModule[]): object {
  const objectForms: Record<string, object> = {};
  // A bare action takes no value; with a notice it is written `- kill:` + `notice: 1h` (the value is then null).
  for (const m of modules) objectForms[m.name] = m.valueSchema ?? { type: 'null' };
  const item = {
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { enum: modules.filter((m) => m.bare).map((m) => m.name) },
    else: {
      minProperties: 1,
      additionalProperties: false,
      properties: { ...objectForms, notice: NOTICE_SCHEMA },
      // One action per item; `notice` may stand beside it.
      if: { properties: { notice: true }, required: ['notice'] },
      then: { minProperties: 2, maxProperties: 2, description: `the action "notice" delays beside it, e.g. ${NOTICE_EXAMPLE}` },
      else: { maxProperties: 1, description: 'one action per item (write several actions as a list)' },
    },
  };
  return { type: ['string', 'object', 'array'], if: { type: 'array' }, then: { minItems: 1, items: item }, else: item };
}

/** What compileActions checks actions against. */
export interface ActionOptions {
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
}

/** Parses a `do` value (one item or a list), reporting unknown actions, unknown notifiers and missing capabilities. */
export function compileActions(raw: unknown, path: Path, modules: readonly ActionModule[], options: ActionOptions): { actions?: PolicyAction[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const byName = new Map(modules.map((m) => [m.name, m]));
  const names = modules.map((m) => m.name);
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw) && raw.length === 0) problems.push({ code: 'SCHEMA', path, message: 'empty action list: name at least one action', allowed: names });
  const actions: PolicyAction[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(raw) ? [...path, i] : [...path];
    let key: string | undefined;
    let notice: { readonly raw: unknown } | undefined;
    let value: unknown = item;
    if (typeof item === 'string') key = item;
    else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const { notice: rawNotice, ...rest } = item as Record<string, unknown>;
      if ('notice' in item) notice = { raw: rawNotice };
      const keys = Object.keys(rest);
      if (keys.length === 1) key = keys[0];
      if (notice && keys.length === 0) {
        problems.push({ code: 'SCHEMA', path: at, message: `"notice" needs the action it delays beside it, e.g. ${NOTICE_EXAMPLE}`, allowed: names });
        return;
      }
      // `- kill:` with a notice: the bare action.
      value = key !== undefined && rest[key] === null ? key : rest;
    }
    const module = key === undefined ? undefined : byName.get(key);
    if (!module) {
      const found = key === undefined ? JSON.stringify(item) : `"${key}"`;
      problems.push({
        code: 'UNKNOWN_VALUE',
        path: typeof item === 'object' && key !== undefined ? [...at, key] : at,
        message: `unknown action ${found}; expected one of: ${names.join(', ')}`,
        allowed: names,
      });
      return;
    }
    if (typeof value === 'string' && !module.bare) {
      problems.push({ code: 'SCHEMA', path: at, message: `"${key}" needs a value, e.g. ${module.example}` });
      return;
    }
    let action: PolicyAction;
    try {
      action = module.parse(value);
    } catch (error) {
      if (!(error instanceof PolicyValueError)) throw error;
      problems.push({ code: 'POLICY', path: [...at, ...error.path], message: error.message, ...(error.allowed ? { allowed: [...error.allowed] } : {}) });
      return;
    }
    if (notice) {
      const parsed = noticeValue(action, notice.raw, [...at, 'notice']);
      if ('problem' in parsed) {
        problems.push(parsed.problem);
        return;
      }
      action = parsed.action;
    }
    if (module.capability !== undefined && !options.capabilities.has(module.capability)) {
      const can = [...options.capabilities].sort();
      problems.push({
        code: 'UNSUPPORTED_ACTION',
        path: at,
        message: `no configured source can ${module.name}; the sources can: ${can.length > 0 ? can.join(', ') : 'nothing'} (and notify)`,
        allowed: ['notify', ...can],
      });
    }
    if (action.action === 'notify' && action.notifiers !== 'all') {
      action.notifiers.forEach((n, j) => {
        if (!options.notifiers.includes(n)) {
          const where = typeof item === 'object' && Array.isArray((item as Record<string, unknown>).notify) ? [...at, 'notify', j] : [...at, 'notify'];
          problems.push({
            code: 'UNKNOWN_NOTIFIER',
            path: where,
            message: `unknown notifier "${n}"; ${options.notifiers.length > 0 ? `expected one of: ${options.notifiers.join(', ')}` : 'no notifiers are configured'}`,
            allowed: [...options.notifiers],
            ...suggest(n, options.notifiers),
          });
        }
      });
    }
    actions.push(action);
  });
  return problems.length === 0 ? { actions, problems } : { problems };
}

function suggest(found: string, allowed: readonly string[]): { suggestion?: string } {
  const suggestion = closest(found, allowed);
  return suggestion === undefined ? {} : { suggestion };
}
