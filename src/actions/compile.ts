import type { PolicyAction } from '../domain/decision.js';
import type { ActionName } from '../domain/action.js';
import type { ActionModule } from './types.js';
import { closest, type PolicyProblem } from '../domain/problem.js';
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

/** What compileAction checks an action against. */
export interface ActionOptions {
  readonly notifiers: readonly string[];
  readonly capabilities: ReadonlySet<ActionName>;
}

/**
 * Compiles one `do` item that doSchema accepted: a bare word or a one-key object (with `notice` beside it), naming a
 * known action with a valid value. Adds only what the schema cannot say: the notice (a positive duration, never on
 * notify), a source that can perform the action, and notifiers that are configured.
 */
export function compileAction(item: unknown, path: Path, modules: readonly ActionModule[], options: ActionOptions): { action?: PolicyAction; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  let key: string;
  let value: unknown = item;
  let notice: { readonly raw: unknown } | undefined;
  if (typeof item === 'string') key = item;
  else {
    const { notice: rawNotice, ...rest } = item as Record<string, unknown>;
    if ('notice' in (item as object)) notice = { raw: rawNotice };
    key = Object.keys(rest)[0]!;
    // `- kill:` with a notice: the bare action.
    value = rest[key] === null ? key : rest;
  }
  const module = modules.find((m) => m.name === key);
  if (!module) throw new Error(`compileAction: "${key}" is not an action; compile only items the policy schema accepted`);
  let action = module.parse(value);
  if (notice) {
    const parsed = noticeValue(action, notice.raw, [...path, 'notice']);
    if ('problem' in parsed) return { problems: [parsed.problem] };
    action = parsed.action;
  }
  if (module.capability !== undefined && !options.capabilities.has(module.capability)) {
    const can = [...options.capabilities].sort();
    problems.push({
      code: 'UNSUPPORTED_ACTION',
      path,
      message: `no configured source can ${module.name}; the sources can: ${can.length > 0 ? can.join(', ') : 'nothing'} (and notify)`,
      allowed: ['notify', ...can],
    });
  }
  if (action.action === 'notify' && action.notifiers !== 'all') {
    const listed = Array.isArray((item as Record<string, unknown>).notify);
    action.notifiers.forEach((n, j) => {
      if (!options.notifiers.includes(n)) {
        problems.push({
          code: 'UNKNOWN_NOTIFIER',
          path: listed ? [...path, 'notify', j] : [...path, 'notify'],
          message: `unknown notifier "${n}"; ${options.notifiers.length > 0 ? `expected one of: ${options.notifiers.join(', ')}` : 'no notifiers are configured'}`,
          allowed: [...options.notifiers],
          ...suggest(n, options.notifiers),
        });
      }
    });
  }
  return problems.length === 0 ? { action, problems } : { problems };
}

function suggest(found: string, allowed: readonly string[]): { suggestion?: string } {
  const suggestion = closest(found, allowed);
  return suggestion === undefined ? {} : { suggestion };
}
