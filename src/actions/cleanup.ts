import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { PolicyValueError } from '../domain/problem.js';
import { bareOrValueSchema } from './simple.js';

const MODES = ['archive', 'delete'] as const;

/** `do: [ { cleanup: archive } ]` — remove old sessions by archiving (default) or deleting them. */
export const name = 'cleanup';
export const description = 'Remove the session: archive (default; reversible) or delete (the platform keeps a .deleted transcript).';
export const capability = 'cleanup' as const;
export const bare = true;
/** Removes the session: needs known usage, never on main or protected sessions; operators use the cleanup route, not a key. */
export const traits = {
  disruptive: true,
  hold: 'none',
  onMain: 'never',
  onProtected: 'never',
  cascades: false,
  countsTowardBlastRadius: true,
  manual: false,
  words: { done: 'archived', noop: 'already archived' },
} as const satisfies ActionTraits;
export const valueSchema = { type: 'string', enum: [...MODES] } as const;
export const schema = bareOrValueSchema(name, valueSchema);
export const example = 'do: [ { cleanup: archive } ]';

/** `cleanup` (archive) or `{ cleanup: archive|delete }`. */
export function parse(value: unknown): PolicyAction {
  if (value === name) return { action: 'cleanup', cleanup: 'archive' };
  const mode = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  if (mode === 'archive' || mode === 'delete') return { action: 'cleanup', cleanup: mode };
  throw new PolicyValueError('E_ACTION', `cleanup takes archive or delete, found ${JSON.stringify(mode)}`, [name], [...MODES]);
}
