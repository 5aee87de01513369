/** How many recent calls the projection looks at. */
export const PROJECTION_WINDOW = 4;
/** Growth assumed from a single known call: a runaway's second prompt carries the first answer and a tool result. */
export const FIRST_GROWTH = 0.25;

/**
 * The expected size of a session's next model call, from its recent calls (oldest first): the last call plus the
 * largest growth between consecutive recent calls (a runaway's prompts grow with every tool result). Undefined with no
 * call to go on. It is an estimate: one call can be arbitrarily larger (a huge tool result, a pasted file).
 */
export function projectNext(recent: readonly number[]): number | undefined {
  const n = recent.length;
  if (n === 0) return undefined;
  const last = recent[n - 1]!;
  if (n === 1) return last * (1 + FIRST_GROWTH);
  let growth = 0;
  for (let i = Math.max(1, n - PROJECTION_WINDOW + 1); i < n; i++) growth = Math.max(growth, recent[i]! - recent[i - 1]!);
  return last + growth;
}
