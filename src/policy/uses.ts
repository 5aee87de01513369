import type { Policy } from './types.js';

/** Visits each condition of a `when` tree (name and its value), at any depth of `all`/`any`/`not`, in the order written. */
export function walkWhen(node: unknown, visit: (name: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walkWhen(n, visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
    // Combinators hold conditions; a condition's own value (a threshold or options) holds none.
    if (name === 'all' || name === 'any' || name === 'not') walkWhen(value, visit);
    else visit(name, value);
  }
}

/** The condition names a policy's `when` uses. */
export function conditionsUsed(policy: Pick<Policy, 'raw'>): Set<string> {
  const used = new Set<string>();
  walkWhen(policy.raw['when'], (name) => used.add(name));
  return used;
}

/** True when the policy's holds are about nobody reading the session: its `when` uses `idle.human`. */
export function holdsAbandoned(policy: Pick<Policy, 'raw'> | undefined): boolean {
  return policy !== undefined && conditionsUsed(policy).has('idle.human');
}

/** True when a person has written to the held session generation since the hold was placed (`lastHumanAt`). */
export function wroteSince(hold: { readonly at: number; readonly generation: string }, session: { readonly generation: string; readonly lastHumanAt?: number } | undefined): boolean {
  return session?.generation === hold.generation && session.lastHumanAt !== undefined && session.lastHumanAt > hold.at;
}
