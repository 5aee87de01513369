import type { CapMetric, WireCap, WireVerdict } from './protocol.js';

/** `42,434` for tokens, `$0.0412` / `$25.00` for cost. */
export function formatMetric(metric: CapMetric, value: number): string {
  if (metric === 'cost') return `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;
  return Math.round(value).toLocaleString('en-US');
}

const RESUME = (key: string): string => `Resume it with: clawwarden sessions resume ${key} (or the Resume button in the clawwarden console).`;

/** Why a run on a session in `verdict`'s state may not start or go on, and how to continue. */
export function stateMessage(verdict: WireVerdict, key: string, refused: boolean): string {
  const reason = verdict.reason ?? '';
  const by = verdict.by && verdict.by !== 'policy' && !reason.includes(`by ${verdict.by}`) ? `requested by ${verdict.by}` : '';
  const policy = verdict.policy && !reason.includes(`policy ${verdict.policy}`) ? `policy ${verdict.policy}` : '';
  const why = [reason, policy, by].filter((s) => s !== '').join('; ');
  const because = why ? ` (${why})` : '';
  const none = refused ? ' No model call was made.' : ' The run was aborted at its tool call.';
  const resume = verdict.resume ?? RESUME(key);
  switch (verdict.state) {
    case 'paused':
      return `clawwarden has paused session ${key}${because}: nothing new runs on it until it is resumed.${none} ${resume}`;
    case 'held':
      return `clawwarden has paused session ${key}${because} and holds it (OpenClaw cannot archive a main session): nothing new runs on it until it is resumed.${none} ${resume}`;
    case 'killed':
      return `clawwarden has killed session ${key}${because}: nothing new runs on it until it is resumed.${none} ${resume}`;
    case 'over-cap': {
      const then = verdict.resume ?? 'Raise the cap in the policy or reset the session to continue.';
      return refused ? `clawwarden refused a new run on ${key}: it is at its hard cap${because}.${none} ${then}` : `clawwarden stopped session ${key} at its hard cap${because}.${none} ${then}`;
    }
    case 'stopped':
      return `clawwarden stopped this run of ${key}${because}. The session stays usable: send a new message to continue.`;
    case 'allowed':
      return `clawwarden allows session ${key}.`;
  }
}

/** A cap this run crossed (not hard): the run ends at the tool boundary after the crossing call. */
export function crossedMessage(key: string, cap: WireCap, used: number): string {
  const then = cap.action === 'stop' ? 'The session stays usable: send a new message to continue.' : `clawwarden will ${cap.action} it as the policy says.`;
  return `clawwarden stopped this run of ${key}: ${cap.metric} ${formatMetric(cap.metric, used)} ${cap.inclusive ? '>=' : '>'} ${formatMetric(cap.metric, cap.limit)} (policy ${cap.policy}). ${then}`;
}

/** A hard cap reached, or about to be crossed by the projected next call. */
export function hardCapMessage(key: string, cap: WireCap, used: number, next: number | undefined, refused: boolean): string {
  const where = `${cap.metric} ${formatMetric(cap.metric, used)} of ${formatMetric(cap.metric, cap.limit)}`;
  const projected = next !== undefined && used < cap.limit ? `; the next call (about ${formatMetric(cap.metric, next)}) would cross it` : '';
  const what = refused ? `refused a new run on ${key}: it is at its hard cap` : `stopped ${key} at its hard cap`;
  return `clawwarden ${what} (${where}${projected}; policy ${cap.policy}).${refused ? ' No model call was made.' : ''} Raise the cap in policy ${cap.policy} or reset the session to continue.`;
}

/** No verdict, the daemon away, and `failMode: closed`. */
export function failClosedMessage(key: string, refused: boolean): string {
  return `clawwarden cannot be reached and this gateway's guard runs with failMode: closed, so ${key} (which it has no verdict for) ${refused ? 'may not start a run. No model call was made.' : 'was stopped at its tool call.'} Start the clawwarden daemon, or set failMode: open.`;
}
