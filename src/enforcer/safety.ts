import picomatch from 'picomatch';
import type { ActionLimit } from '../config/types.js';
import { traitsOf, type ActionName } from '../actions/index.js';

/** Compiles `safety.protect` key globs once. */
export function protectionMatcher(globs: readonly string[]): (key: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch(globs as string[], { dot: true });
  return (key) => match(key);
}

/** Why a policy may not do `action` to a protected session, or undefined if it may: the action's `onProtected` trait decides (stop only with allowProtected; resume always; the rest never). */
export function protectionVeto(action: ActionName, allowProtected: boolean): string | undefined {
  const rule = traitsOf(action).onProtected;
  if (rule === 'always' || (rule === 'if-allowed' && allowProtected)) return undefined;
  return rule === 'if-allowed'
    ? `session is protected (safety.protect); set allowProtected: true on the policy to let it ${action} protected sessions`
    : `session is protected (safety.protect); policies never ${action} protected sessions`;
}

/** Whether an operator's manual `action` on a protected session, or past the blast-radius limit, needs force (everything but what `onProtected: always` allows). */
export function manualNeedsForce(action: ActionName): boolean {
  return traitsOf(action).onProtected !== 'always';
}

/** The tightest limit for a batch: counts as given, percentages of the sessions in scope (at least 1). */
export function actionLimit(limits: readonly ActionLimit[], sessionsInScope: number): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const l of limits) {
    const value = 'count' in l ? l.count : Math.max(1, Math.floor((l.percent / 100) * sessionsInScope));
    limit = Math.min(limit, value);
  }
  return limit;
}
