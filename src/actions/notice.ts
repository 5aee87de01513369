import type { PolicyAction } from '../domain/decision.js';
import type { PolicyProblem } from '../domain/problem.js';
import { parseDuration, UnitError } from '../domain/units.js';

/** Schema of `notice` beside an action in a `do` item. */
export const NOTICE_SCHEMA = {
  type: 'string',
  description: 'mark the session and act only after this notice (e.g. "1h"), if the policy still matches then; `clawwarden sessions unmark` cancels',
} as const;

export const NOTICE_EXAMPLE = '{ cleanup: archive, notice: 1h }';

/** The action with its notice (ms), or the problem: notify is sent at once, and a notice is a positive duration. */
export function noticeValue(action: PolicyAction, raw: unknown, path: readonly (string | number)[]): { action: PolicyAction } | { problem: PolicyProblem } {
  if (action.action === 'notify') {
    return { problem: { code: 'POLICY', path, message: `notify is sent at once and takes no notice; put the notice on the action it announces, e.g. ${NOTICE_EXAMPLE}` } };
  }
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    return { problem: { code: 'POLICY', path, message: error.message } };
  }
  if (ms <= 0) return { problem: { code: 'POLICY', path, message: `a notice must be longer than zero, found ${JSON.stringify(raw)}; leave "notice" out to act at once` } };
  return { action: { ...action, notice: ms } };
}
