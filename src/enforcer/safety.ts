import picomatch from 'picomatch';
import type { ActionLimit } from '../config/types.js';
import type { ActionName } from '../domain/action.js';

/** Actions that may take work away from an operator's agent and therefore need fresh, known usage and an unprotected target. */
export const DISRUPTIVE: ReadonlySet<ActionName> = new Set(['kill', 'pause', 'cleanup']);

/** Compiles `safety.protect` key globs once. */
export function protectionMatcher(globs: readonly string[]): (key: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch(globs as string[], { dot: true });
  return (key) => match(key);
}

/** Why a policy may not do `action` to a protected session, or undefined if it may: protected sessions are stopped only with allowProtected, never killed, paused or cleaned up. */
export function protectionVeto(action: ActionName, allowProtected: boolean): string | undefined {
  if (action === 'stop' && allowProtected) return undefined;
  if (action === 'resume') return undefined;
  return action === 'stop'
    ? 'session is protected (safety.protect); set allowProtected: true on the policy to let it stop protected sessions'
    : `session is protected (safety.protect); policies never ${action} protected sessions`;
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
