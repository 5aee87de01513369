import type { JSONSchemaType } from 'ajv';
import type { PolicyAction } from '../domain/decision.js';
import type { ActionTraits } from './types.js';
import { bareOrValueSchema } from './simple.js';

type CleanupMode = Extract<PolicyAction, { readonly action: 'cleanup' }>['cleanup'];
const MODES = ['archive', 'delete'] as const satisfies readonly CleanupMode[];

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
export const valueSchema: JSONSchemaType<CleanupMode> = { type: 'string', enum: [...MODES] };
export const schema = bareOrValueSchema(name, valueSchema);
export const example = 'do: [ { cleanup: archive } ]';

/** `cleanup` (archive) or `{ cleanup: archive|delete }`, as the schema accepted it. */
export function parse(value: typeof name | { readonly cleanup: CleanupMode }): PolicyAction {
  return { action: 'cleanup', cleanup: value === name ? 'archive' : value.cleanup };
}
