import type { Driver, DriveContext, Scenario } from './scenario.js';
import { actionBy } from './scenario.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A client that sends `next` (default: the first message again) whenever the run it started has ended and `pauseMs`
 * passed (a channel or automation retrying a failed delivery, or a person asking the next question), until the window
 * ends. Refused sends (a paused session) are retried a second later; they cost nothing.
 */
export async function resendUntilWindowEnds(ctx: DriveContext, message: string, options: { next?: string; pauseMs?: number } = {}): Promise<Driver> {
  // Set by stop() while the loop awaits; read through a call, which no narrowing carries across those awaits.
  let stoppedFlag = false;
  const stopped = (): boolean => stoppedFlag;
  const active = async (): Promise<boolean | undefined> => {
    const rows = (await ctx.operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 1000 })).sessions;
    return rows.find((r) => r.key === ctx.key)?.hasActiveRun;
  };
  const waitFor = async (want: boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = Math.min(Date.now() + timeoutMs, ctx.endsAt());
    while (!stopped() && Date.now() < deadline) {
      if ((await active().catch(() => undefined)) === want) return true;
      await sleep(250);
    }
    return false;
  };
  await ctx.create(message);
  const loop = (async () => {
    let sent = true;
    while (!stopped() && Date.now() < ctx.endsAt()) {
      if (sent) {
        // A run takes a moment to start; then wait for it to end, however it ends.
        await waitFor(true, 30_000);
        await waitFor(false, 120_000);
        if (options.pauseMs) await sleep(options.pauseMs);
      }
      if (stopped() || Date.now() >= ctx.endsAt()) break;
      sent = await ctx.operator.send(ctx.key, options.next ?? message).then(
        () => true,
        () => false,
      );
      if (!sent) await sleep(1_000);
    }
  })();
  return {
    done: () => stopped() || Date.now() >= ctx.endsAt(),
    stop: async () => {
      stoppedFlag = true;
      await loop;
    },
  };
}

/**
 * Incident 2, the retry storm (openclaw#67399: 754 retries, about $70): the model answers with errors and the work is
 * tried again and again. What OpenClaw 2026.9.6 does with each kind of error (observed with the fake model's
 * `FAIL:<kind>:<n>` marker, gateway log lines quoted):
 *
 * - HTTP 429: retried within the run, `transient same-model retry 1/9 … reason=rate_limit`, backoff growing from ~1 s
 *   to ~45 s; 10 attempts, then the run fails. Nothing is billed (no usage; `sessions.usage` stays at 0).
 * - HTTP 500: `transient same-model retry 1/8 … reason=server_error` within a 90 s window, then the run fails
 *   (7 attempts seen). Nothing is billed.
 * - A malformed tool call (HTTP 200, a complete stream with usage, unparsable arguments): `rawError=Provider returned
 *   an incomplete or malformed tool call`, then `[empty-error-retry] … resubmitting attempt=1/3` … `3/3`: 4 calls, every
 *   one billed (the row showed 61,972 input and 48 output tokens, $0.186636, for 4 calls), then the run fails.
 *
 * So on this version a single run does not storm: retries are bounded per run. The storm of the issue needs the
 * request re-sent after each failed run (a retrying channel, cron or client), which is what this scenario's driver
 * does. The billed kind (malformed) is the incident; `retryStormUnbilled` plays 429s to show that retries that bill
 * nothing are counted as nothing.
 *
 * Caught by `retry-storm` in policies/retry-storm.yaml (burn > 300k tokens per 10 min at > 500 input tokens per output
 * token, shipped; > 40k per minute here): pause, so the re-sent requests are refused.
 */
export const retryStorm: Scenario = {
  incident: 2,
  id: 'retry',
  title: 'retry storm (malformed tool calls, re-sent)',
  issues: ['openclaw#67399'],
  policyFile: 'retry-storm.yaml',
  policy: 'retry-storm',
  compress: [['burn: { tokens: "> 300k", per: 10m }', 'burn: { tokens: "> 40k", per: 1m }']],
  agent: 'main',
  windowMs: 40_000,
  drive: (ctx) => resendUntilWindowEnds(ctx, `deploy the release MODE:quick ID:${ctx.marker} FAIL:malformed:100000`),
  caught: (entries, key) => actionBy(entries, key, 'retry-storm', ['pause', 'stop', 'kill']),
  note: 'OpenClaw 2026.9.6 bounds retries per run; the storm is the request re-sent after each failed run',
};

/** The same storm with HTTP 429s: OpenClaw retries them, nothing is billed, and nothing must be counted or caught. */
export const retryStormUnbilled: Scenario = {
  ...retryStorm,
  id: 'retry429',
  title: 'retry storm (429, unbilled)',
  windowMs: 25_000,
  drive: (ctx) => resendUntilWindowEnds(ctx, `deploy the release MODE:quick ID:${ctx.marker} FAIL:429:100000`),
  note: '429s are retried 10 times per run and bill nothing',
};
