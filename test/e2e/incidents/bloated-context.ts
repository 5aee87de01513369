import { resendUntilWindowEnds } from './retry-storm.js';
import { actionBy, type Scenario } from './scenario.js';

/** A pasted log of about 30k tokens (120 KB): the bloat every later call re-sends. */
export function pastedLog(marker: string): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 120_000; i++) {
    lines.push(`2026-11-30T12:${String(i % 60).padStart(2, '0')}:00Z worker-${i % 7} job ${i} finished: status=ok rows=${(i * 7919) % 10_000} checksum=${((i * 2654435761) >>> 0).toString(16)}`);
  }
  return `Here is yesterday's job log, keep it in mind for my questions. MODE:quick ID:${marker}\n\n${lines.join('\n')}`;
}

/**
 * Incident 4, huge input and tiny output (the "high input, low output" session): a session whose first message pasted
 * a big log; every question after it re-sends that context for a one-line answer.
 *
 * Caught by `bloated-context` in policies/bloated-context.yaml (idle, over 1M input tokens shipped, 150k here, at more
 * than 200 input tokens per output token) with `compact` as the remedy: OpenClaw summarises the context and the next
 * questions send a fraction of the tokens. A person asks the next question 3 s after each answer, which is when the
 * idle session can be compacted.
 */
export const bloatedContext: Scenario = {
  incident: 4,
  id: 'bloat',
  title: 'huge input, tiny output',
  issues: ['high input, low output'],
  policyFile: 'bloated-context.yaml',
  policy: 'bloated-context',
  compress: [['tokens.input: "> 1M"', 'tokens.input: "> 150k"']],
  agent: 'main',
  windowMs: 60_000,
  drive: (ctx) => resendUntilWindowEnds(ctx, pastedLog(ctx.marker), { next: `which jobs failed? MODE:quick ID:${ctx.marker}`, pauseMs: 3_000 }),
  caught: (entries, key) => actionBy(entries, key, 'bloated-context', ['compact']),
};
