import type { Policy } from './types.js';

/** The condition names a policy's `when` uses, at any depth (`all`/`any`/`not` included). */
export function conditionsUsed(policy: Pick<Policy, 'raw'>): Set<string> {
  const used = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        // Combinators hold conditions; a condition's own value (a threshold or options) holds none.
        if (key === 'all' || key === 'any' || key === 'not') walk(value);
        else used.add(key);
      }
  };
  walk(policy.raw['when']);
  return used;
}

/**
 * True when a hold the policy placed is about nobody reading the session (its `when` uses `idle.human`) and a person
 * has written to the session since: the reason for the hold is gone, so the hold is released rather than enforced.
 */
export function personReturned(policy: Pick<Policy, 'raw'> | undefined, hold: { readonly at: number }, session: { readonly lastHumanAt?: number } | undefined): boolean {
  return policy !== undefined && session?.lastHumanAt !== undefined && session.lastHumanAt > hold.at && conditionsUsed(policy).has('idle.human');
}
