import { totalTokens } from '../domain/session.js';
import type { ActionOutcomeRecord } from '../enforcer/hooks.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { formatConfigError, loadConfig } from '../config/index.js';
import { Daemon } from '../daemon/daemon.js';
import { liveOutputs } from '../daemon/metrics-and-notifiers.js';
import { createMetrics } from '../metrics/metrics.js';
import type { BenchRow, BenchSection } from './section.js';

/** Tokens cap the bench runaways cross (~3 fake-model calls). */
const CAP = 40_000;
const RUNAWAYS = 24;
const PARALLEL = 4;
/** The default `schedule` (`* * * * *`): what schedule-only enforcement waits for. */
const SWEEP_S = 60;
/** Schedule-only runaways, started this far apart so their crossings fall at different points of the minute. */
const SCHEDULE_RUNAWAYS = 6;
const SCHEDULE_STAGGER_MS = 9_000;
/** The fake model answers each call after this long: a fast real model's pace (PROTOCOL.md: ~2–3 calls a second). */
const MODEL_DELAY_MS = 300;

interface ServedCall {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly closedEarly: boolean;
  readonly at: number;
}
/** The slice of the e2e harness (test/e2e/support) this bench drives; loaded with tsx because it is TypeScript outside src/. */
interface Harness {
  startFakeModel(options: { quickDelayMs: number }): Promise<{ baseUrl: string; calls(marker: string): readonly ServedCall[]; close(): Promise<void> }>;
  startGateway(options: { modelBaseUrl: string }): Promise<{ url: string; token: string; close(): Promise<void> }>;
  gatewayMissing(): string | undefined;
  connectOperator(url: string, token: string): Promise<{ create(name: string, message: string): Promise<{ key: string }>; close(): Promise<void> }>;
}

async function loadHarness(): Promise<Harness> {
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new Error('the enforcement bench needs the dev install (tsx) to load the gateway harness in test/e2e/support');
  }
  // Relative to src/bench or dist/bench alike.
  const load = (file: string): Promise<unknown> => tsImport(`../../test/e2e/support/${file}`, import.meta.url);
  const [gateway, model, operator] = (await Promise.all([load('gateway.ts'), load('fake-model.ts'), load('operator.ts')])) as [Partial<Harness>, Partial<Harness>, Partial<Harness>];
  return { ...gateway, ...model, ...operator } as Harness;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (v: number): string => `${Math.round(v)} ms`;
const tokens = (v: number): string => `${Math.round(v).toLocaleString('en-US')} tok`;
const usd = (v: number): string => `$${v.toFixed(4)}`;

/** What one runaway came to. */
interface Runaway {
  readonly latencyMs: number;
  readonly overshootTokens: number;
  readonly overshootUsd: number;
  readonly callsAfterCrossing: number;
  readonly crossingCallTokens: number;
}

/**
 * Enforcement against a real OpenClaw gateway and the fake model: for ≥ 20 runaway tool loops, the time from the
 * usage event that crossed a `tokens.total` cap to the gateway's abort acknowledgement, and the overshoot past the
 * cap. Schedule-only mode is COMPUTED from the measured burn rate (the daemon has no switch to ignore events).
 */
export async function enforcementRows(): Promise<BenchRow[]> {
  const harness = await loadHarness();
  const missing = harness.gatewayMissing();
  if (missing) throw new Error(missing);
  const model = await harness.startFakeModel({ quickDelayMs: MODEL_DELAY_MS });
  const dir = await mkdtemp(join(tmpdir(), 'clawwarden-bench-'));
  let gateway: Awaited<ReturnType<Harness['startGateway']>> | undefined;
  let daemon: Daemon | undefined;
  let operator: Awaited<ReturnType<Harness['connectOperator']>> | undefined;
  try {
    gateway = await harness.startGateway({ modelBaseUrl: model.baseUrl });
    const latencies = new Map<string, number>();
    daemon = await benchDaemon(dir, gateway, { name: 'event-driven', schedule: '0 0 1 1 *', keyPrefix: 'bench-', eventDriven: true }, (outcome) => {
      if (outcome.latencyMs !== undefined) latencies.set(outcome.target.key, outcome.latencyMs);
    });
    operator = await harness.connectOperator(gateway.url, gateway.token);
    const warden = daemon;
    const op = operator;

    const one = async (n: number): Promise<Runaway> => {
      const marker = `bench-${n}`;
      const { key } = await op.create(marker, `loop forever MODE:loop ID:${marker}`);
      const deadline = Date.now() + 120_000;
      while (!latencies.has(key)) {
        if (Date.now() > deadline) throw new Error(`runaway ${key} was not stopped within 120 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // Let a call cut short by the abort be recorded, and its usage (if any) reach the ledger.
      await new Promise((r) => setTimeout(r, 1_500));
      const calls = model.calls(marker);
      const crossing = crossingIndex(calls);
      const crossingCall = calls[crossing];
      return {
        latencyMs: latencies.get(key)!,
        ...overshoot(warden, key),
        callsAfterCrossing: crossing < 0 ? Number.NaN : calls.length - crossing - 1,
        crossingCallTokens: crossingCall ? crossingCall.promptTokens + crossingCall.completionTokens : Number.NaN,
      };
    };

    // The first turn on a fresh gateway HOME spends seconds preparing; warm it up outside the figures.
    await one(0);
    const results: Runaway[] = [];
    for (let n = 1; n <= RUNAWAYS; n += PARALLEL) {
      results.push(...(await Promise.all(Array.from({ length: Math.min(PARALLEL, RUNAWAYS - n + 1) }, (_, i) => one(n + i)))));
    }

    // Burn rate of a runaway in this setup, from the fake model's delivered calls.
    const rates = Array.from({ length: RUNAWAYS }, (_, i) => model.calls(`bench-${i + 1}`).filter((c) => !c.closedEarly))
      .filter((c) => c.length >= 2)
      .map((c) => {
        const spent = c.slice(1).reduce((s, x) => s + x.promptTokens + x.completionTokens, 0);
        return spent / ((c[c.length - 1]!.at - c[0]!.at) / 1000);
      });
    const burn = percentile(rates, 50);
    const usdPerToken = percentile(results.map((r) => r.overshootUsd / r.overshootTokens).filter(Number.isFinite), 50);
    const lat = results.map((r) => r.latencyMs);
    const over = results.map((r) => r.overshootTokens);
    const overUsd = results.map((r) => r.overshootUsd);
    const after = Math.max(...results.map((r) => r.callsAfterCrossing));
    const section = 'enforcement';
    const abortP50 = percentile(lat, 50);

    // Schedule-only, measured: the same policy on a second daemon that evaluates only on the real one-minute cron.
    await warden.close();
    daemon = undefined;
    const scheduled = await scheduleOnly(gateway, model, op, dir);
    const capToAbort = scheduled.map((r) => r.capToAbortMs);
    const schedOver = scheduled.map((r) => r.overshootTokens);
    const schedUsd = scheduled.map((r) => r.overshootUsd);
    return [
      { section, case: `event-driven: event → abort ack p50 (${results.length} runaways, ${PARALLEL} at a time)`, measured: ms(abortP50), target: '-' },
      { section, case: 'event-driven: event → abort ack p95', measured: ms(percentile(lat, 95)), target: '≤ 150 ms' },
      { section, case: 'event-driven: overshoot past the cap p50 / p95', measured: `${tokens(percentile(over, 50))} / ${tokens(percentile(over, 95))}`, target: '≤ the crossing call' },
      { section, case: 'event-driven: overshoot USD p50 / p95', measured: `${usd(percentile(overUsd, 50))} / ${usd(percentile(overUsd, 95))}`, target: '-' },
      {
        section,
        case: 'event-driven: crossing call size p50; model calls after it (max)',
        measured: `${tokens(
          percentile(
            results.map((r) => r.crossingCallTokens),
            50,
          ),
        )}; ${after}`,
        target: '≤ 1 call',
      },
      { section, case: `runaway burn rate (fake model, ${MODEL_DELAY_MS} ms/call)`, measured: `${tokens(burn)}/s`, target: '-' },
      {
        section,
        case: `schedule-only (measured, ${SWEEP_S} s cron, ${scheduled.length} runaways): cap crossed → abort p50 / max`,
        measured: `${ms(percentile(capToAbort, 50))} / ${ms(Math.max(...capToAbort))}`,
        target: '-',
      },
      { section, case: 'schedule-only (measured): overshoot p50 / max', measured: `${tokens(percentile(schedOver, 50))} / ${tokens(Math.max(...schedOver))}`, target: '-' },
      { section, case: 'schedule-only (measured): overshoot USD p50 / max', measured: `${usd(percentile(schedUsd, 50))} / ${usd(Math.max(...schedUsd))}`, target: '-' },
      // Computed, not measured: a cap crossed at a uniformly random instant waits for the next `* * * * *` sweep.
      { section, case: `schedule-only (computed, ${SWEEP_S} s cron): cap → abort p50 / p95`, measured: `${ms(SWEEP_S * 500 + abortP50)} / ${ms(SWEEP_S * 950 + abortP50)}`, target: '-' },
      { section, case: 'schedule-only (computed): overshoot p50 / p95', measured: `${tokens(burn * SWEEP_S * 0.5)} / ${tokens(burn * SWEEP_S * 0.95)}`, target: '-' },
      { section, case: 'schedule-only (computed): overshoot USD p50 / p95', measured: `${usd(burn * SWEEP_S * 0.5 * usdPerToken)} / ${usd(burn * SWEEP_S * 0.95 * usdPerToken)}`, target: '-' },
    ];
  } finally {
    await operator?.close();
    await daemon?.close();
    await gateway?.close();
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `enforcement` bench section. */
export const enforcementBench: BenchSection = { name: 'enforcement', run: enforcementRows };

/** One schedule-only runaway: from the model call that crossed the cap to the abort, and what it burnt meanwhile. */
interface ScheduledRunaway {
  readonly capToAbortMs: number;
  readonly overshootTokens: number;
  readonly overshootUsd: number;
}

/** Runs SCHEDULE_RUNAWAYS runaways against a daemon with `eventDriven: false` and the default `* * * * *` sweep. */
async function scheduleOnly(
  gateway: { url: string; token: string },
  model: { calls(marker: string): readonly ServedCall[] },
  op: { create(name: string, message: string): Promise<{ key: string }> },
  dir: string,
): Promise<ScheduledRunaway[]> {
  const stoppedAt = new Map<string, number>();
  const daemon = await benchDaemon(dir, gateway, { name: 'schedule-only', schedule: '* * * * *', keyPrefix: 'sched-', eventDriven: false }, (outcome) => {
    stoppedAt.set(outcome.target.key, Date.now());
  });
  try {
    const one = async (n: number): Promise<ScheduledRunaway> => {
      await new Promise((r) => setTimeout(r, n * SCHEDULE_STAGGER_MS));
      const marker = `sched-${n}`;
      const { key } = await op.create(marker, `loop forever MODE:loop ID:${marker}`);
      const deadline = Date.now() + (SWEEP_S + 90) * 1000;
      while (!stoppedAt.has(key)) {
        if (Date.now() > deadline) throw new Error(`schedule-only runaway ${key} was not stopped within ${SWEEP_S + 90} s`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1_500));
      const calls = model.calls(marker);
      const crossingAt = calls[crossingIndex(calls)]?.at ?? Number.NaN;
      return { capToAbortMs: stoppedAt.get(key)! - crossingAt, ...overshoot(daemon, key) };
    };
    return await Promise.all(Array.from({ length: SCHEDULE_RUNAWAYS }, (_, i) => one(i)));
  } finally {
    await daemon.close();
  }
}

/**
 * Starts a daemon on the harness gateway with the bench's one policy (`tokens.total > CAP`, stop) for sessions whose
 * key starts with `keyPrefix`; `onStop` sees every stop it carries out.
 */
async function benchDaemon(
  dir: string,
  gateway: { url: string; token: string },
  mode: { name: string; schedule: string; keyPrefix: string; eventDriven: boolean },
  onStop: (outcome: ActionOutcomeRecord) => void,
): Promise<Daemon> {
  const file = join(dir, `${mode.name}.yaml`);
  await writeFile(
    file,
    `sources:
  - { name: gw, type: openclaw, url: "${gateway.url}", token: "\${env:BENCH_GATEWAY_TOKEN}" }
schedule: "${mode.schedule}"
stateDir: ${JSON.stringify(join(dir, `state-${mode.name}`))}
http: { listen: "127.0.0.1:0" }
safety: { maxActionsPerSweep: 100 }
policies:
  - name: bench-cap
    match: { key: "agent:main:${mode.keyPrefix}*" }
    when: { tokens.total: "> ${CAP}" }
    do: [ stop ]
`,
  );
  const loaded = loadConfig({ file, cwd: dir, env: { BENCH_GATEWAY_TOKEN: gateway.token } });
  if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  const log = pino({ level: 'silent' });
  const metrics = createMetrics({ topSessions: 10, version: 'bench', processMetrics: false });
  return Daemon.start(loaded.config, {
    log,
    eventDriven: mode.eventDriven,
    outputs: async (config) => {
      const live = await liveOutputs(config, { log, metrics });
      return {
        ...live,
        hooks: {
          ...live.hooks,
          acted: (outcome) => {
            if (outcome.action === 'stop') onStop(outcome);
            live.hooks.acted(outcome);
          },
        },
      };
    },
  });
}

/** Index of the delivered model call that took the session past CAP, or -1. */
function crossingIndex(calls: readonly ServedCall[]): number {
  let total = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (c.closedEarly) continue;
    total += c.promptTokens + c.completionTokens;
    if (total > CAP) return i;
  }
  return -1;
}

/** Tokens past the cap by the daemon's ledger, and their cost at the session's average price. */
function overshoot(daemon: Daemon, key: string): { overshootTokens: number; overshootUsd: number } {
  const session = daemon.fleet.session('gw', key);
  const usage = session ? daemon.fleet.ledger.session('gw', key, session.generation) : undefined;
  const total = usage ? totalTokens(usage.totals) : Number.NaN;
  const cost = usage?.totals.cost ?? Number.NaN;
  return { overshootTokens: total - CAP, overshootUsd: total > 0 ? ((total - CAP) / total) * cost : Number.NaN };
}
