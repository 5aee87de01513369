import type { PolicyAction } from '../domain/decision.js';
import type { ActionName } from '../domain/action.js';
import type { ActionModule } from './types.js';
import { PolicyValueError, type PolicyProblem } from '../domain/problem.js';

type Path = readonly (string | number)[];

/** JSON schema of a `do` value: one action or a list; each is a bare word or a one-key object. */
export function doSchema(modules: readonly ActionModule[]): object {
  const objectForms: Record<string, object> = {};
  for (const m of modules) if (m.valueSchema) objectForms[m.name] = m.valueSchema;
  const item = {
    type: ['string', 'object'],
    if: { type: 'string' },
    then: { enum: modules.filter((m) => m.bare).map((m) => m.name) },
    else: { minProperties: 1, maxProperties: 1, additionalProperties: false, properties: objectForms },
  };
  return { type: ['string', 'object', 'array'], if: { type: 'array' }, then: { minItems: 1, items: item }, else: item };
}

/** What compileActions checks actions against. */
export interface ActionOptions {
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
}

/** Parses a `do` value (one item or a list), reporting unknown actions, unknown notifiers and missing capabilities. */
export function compileActions(
  raw: unknown,
  path: Path,
  modules: readonly ActionModule[],
  options: ActionOptions,
): { actions?: PolicyAction[]; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const byName = new Map(modules.map((m) => [m.name, m]));
  const names = modules.map((m) => m.name);
  const items: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw) && raw.length === 0) problems.push({ path, message: 'empty action list: name at least one action', allowed: names });
  const actions: PolicyAction[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(raw) ? [...path, i] : [...path];
    let key: string | undefined;
    if (typeof item === 'string') key = item;
    else if (typeof item === 'object' && item !== null && !Array.isArray(item) && Object.keys(item).length === 1) key = Object.keys(item)[0];
    const module = key === undefined ? undefined : byName.get(key);
    if (!module) {
      const found = key === undefined ? JSON.stringify(item) : `"${key}"`;
      problems.push({ path: typeof item === 'object' && key !== undefined ? [...at, key] : at, message: `unknown action ${found}; expected one of: ${names.join(', ')}`, allowed: names });
      return;
    }
    if (typeof item === 'string' && !module.bare) {
      problems.push({ path: at, message: `"${key}" needs a value, e.g. ${module.example}` });
      return;
    }
    let action: PolicyAction;
    try {
      action = module.parse(item);
    } catch (error) {
      if (!(error instanceof PolicyValueError)) throw error;
      problems.push({ path: [...at, ...error.path], message: error.message, ...(error.allowed ? { allowed: [...error.allowed] } : {}) });
      return;
    }
    if (module.capability !== undefined && !options.capabilities.has(module.capability)) {
      const can = [...options.capabilities].sort();
      problems.push({
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
            path: where,
            message: `unknown notifier "${n}"; ${options.notifiers.length > 0 ? `expected one of: ${options.notifiers.join(', ')}` : 'no notifiers are configured'}`,
            allowed: [...options.notifiers],
          });
        }
      });
    }
    actions.push(action);
  });
  return problems.length === 0 ? { actions, problems } : { problems };
}
