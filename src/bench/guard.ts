import type { BenchRow, BenchSection } from './section.js';
import { VerdictTable } from '../../guard/src/table.js';

/** The tokens cap every bench runaway crosses (~3 fake-model calls). */
const CAP = 40_000;
/** Runaways per mode and model speed; GUARD_BENCH_RUNAWAYS overrides (the table says how many ran). */
const RUNAWAYS = Number(process.env['GUARD_BENCH_RUNAWAYS'] ?? 20);
const PARALLEL = 4;
/** Runs started on a held main session per mode and agent. */
const ADMISSIONS = 5;
const MAIN_OF = { main: 'agent:main:main', fast: 'agent:fast:main' } as const;

interface ServedCall {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly closedEarly: boolean;
}
interface Model {
  calls(marker: string): readonly ServedCall[];
  waitForCalls(marker: string, n: number, timeoutMs?: number): Promise<void>;
}
interface GuardStatus {
  readonly up: boolean;
  readonly lastReportAt?: number;
  readonly hooks?: { readonly calls: number; readonly p50us: number; readonly p99us: number; readonly maxUs: number };
}
interface Warden {
  readonly warden: { readonly guard?: { status(): readonly GuardStatus[] }; readonly daemon: { session(key: string): unknown } };
  act(action: 'pause' | 'resume', key: string): Promise<{ status: number }>;
  journal(): Promise<readonly { by?: string; session?: string; detail?: string; reason?: string }[]>;
  close(): Promise<void>;
}
interface World {
  slow: Model;
  fast: Model;
  operator: { request<T>(method: string, params: object): Promise<T>; send(key: string, message: string): Promise<unknown>; close(): Promise<void> };
  create(agent: 'main' | 'fast', name: string, message: string): Promise<{ key: string }>;
  close(): Promise<void>;
}
/** The slice of the guard e2e harness (test/guard/gateway.ts) the bench drives, loaded with tsx like the enforcement bench's. */
interface Harness {
  setUpGuardWorld(): Promise<World>;
  startGuardedWarden(world: World, policies: string, options?: { guard?: boolean; log?: string }): Promise<Warden>;
}

async function loadHarness(): Promise<Harness> {
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new Error('the guard bench needs the dev install (tsx) to load the gateway harness in test/guard');
  }
  const gateway = (await tsImport('../../test/guard/gateway.ts', import.meta.url)) as Partial<Harness>;
  const support = (await tsImport('../../test/e2e/support/gateway.ts', import.meta.url)) as { gatewayMissing(): string | undefined };
  const missing = support.gatewayMissing();
  if (missing) throw new Error(missing);
  return gateway as Harness;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};
const tok = (v: number): string => `${v < 0 ? '−' : ''}${Math.abs(Math.round(v)).toLocaleString('en-US')}`;

/** What one runaway came to, from what the fake model served. */
interface Runaway {
  readonly callsAfterCrossing: number;
  readonly pastCap: number;
}

function measure(calls: readonly ServedCall[]): Runaway {
  let total = 0;
  let crossing = -1;
  calls.forEach((c, i) => {
    if (c.closedEarly) return;
    total += c.promptTokens + c.completionTokens;
    if (crossing < 0 && total > CAP) crossing = i;
  });
  return { callsAfterCrossing: crossing < 0 ? 0 : calls.length - crossing - 1, pastCap: total - CAP };
}

async function idle(world: World, key: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const rows = (await world.operator.request<{ sessions: { key: string; hasActiveRun?: boolean }[] }>('sessions.list', { limit: 1000 })).sessions;
    if (rows.find((r) => r.key === key)?.hasActiveRun === false) return;
    if (Date.now() > deadline) throw new Error(`${key} still running after 180 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** RUNAWAYS runaways named `<prefix>-<n>` on one agent, PARALLEL at a time. */
async function runaways(world: World, agent: 'main' | 'fast', prefix: string): Promise<Runaway[]> {
  const model = agent === 'main' ? world.slow : world.fast;
  const one = async (n: number): Promise<Runaway> => {
    const marker = `${agent}-${prefix}-${n}`;
    const { key } = await world.create(agent, `${prefix}-${n}`, `read files forever MODE:loop ID:${marker}`);
    await model.waitForCalls(marker, 1, 180_000);
    await idle(world, key);
    // A call cut short by an abort, or one started after the crossing, shows up within this.
    await new Promise((r) => setTimeout(r, 1_500));
    return measure(model.calls(marker));
  };
  const out: Runaway[] = [];
  for (let n = 1; n <= RUNAWAYS; n += PARALLEL) out.push(...(await Promise.all(Array.from({ length: Math.min(PARALLEL, RUNAWAYS - n + 1) }, (_, i) => one(n + i)))));
  return out;
}

/** Starts ADMISSIONS runs on each agent's held main session: how many model calls were made, how many runs were refused. */
async function admissions(world: World, warden: Warden, mode: string): Promise<{ attempts: number; modelCalls: number; refused: number; abortedOutside: number }> {
  let modelCalls = 0;
  let attempts = 0;
  for (const agent of ['main', 'fast'] as const) {
    const key = MAIN_OF[agent];
    const model = agent === 'main' ? world.slow : world.fast;
    if ((await warden.act('pause', key)).status !== 200) throw new Error(`pausing ${key} failed`);
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < ADMISSIONS; i++) {
      const marker = `${agent}-adm-${mode}-${i}`;
      attempts++;
      await world.operator.send(key, `work MODE:loop ID:${marker}`);
      await new Promise((r) => setTimeout(r, 2_500));
      await idle(world, key);
      modelCalls += model.calls(marker).length;
    }
    await warden.act('resume', key);
  }
  const entries = (await warden.journal()).filter((e) => e.session === MAIN_OF.main || e.session === MAIN_OF.fast);
  const refused = entries.filter((e) => e.by === 'guard' && /refused/.test(e.detail ?? '')).length;
  const abortedOutside = entries.filter((e) => e.by !== 'guard' && /session is held/.test(e.reason ?? '')).length;
  return { attempts, modelCalls, refused, abortedOutside };
}

const POLICIES = `  - name: cap
    match: { key: ["agent:*:x-*", "agent:*:g-*"] }
    when: { tokens.total: "> ${CAP}" }
    do: [ stop ]
  - name: hard-cap
    match: { key: "agent:*:h-*" }
    when: { tokens.total: "> ${CAP}" }
    hard: true
    do: [ stop ]`;

/** In-process cost of the guard's decision: one toolCall against a table of 10,000 sessions with a cap each. */
function tableMicros(): number {
  const table = new VerdictTable({ failMode: 'open' });
  table.setConnected(true);
  const caps = [{ policy: 'cap', metric: 'tokens.total' as const, limit: CAP, inclusive: false, hard: true, action: 'stop' as const }];
  table.apply({
    type: 'hello',
    protocol: 1,
    version: 'bench',
    source: 'gw',
    failMode: 'open',
    rules: [],
    verdicts: Array.from({ length: 10_000 }, (_, i) => ({
      key: `agent:a:s${i}`,
      generation: 'g',
      state: 'allowed' as const,
      since: 0,
      caps,
      usage: { input: 1_000, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0 },
      through: 0,
    })),
    at: 0,
  });
  for (let i = 0; i < 10_000; i++) {
    table.runStarted({ key: `agent:a:s${i}`, sessionId: 'g', runId: 'r' }, 0);
    for (let c = 0; c < 4; c++) table.callCompleted(`agent:a:s${i}`, { at: c + 1, input: 5_000 + c * 100, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0 });
  }
  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) table.toolCall({ key: `agent:a:s${i % 10_000}`, sessionId: 'g', runId: 'r' }, 1);
  return ((performance.now() - started) * 1000) / n;
}

/**
 * External-only enforcement against the in-gateway guard on a real OpenClaw gateway (guard installed with install-guard),
 * for RUNAWAYS runaway tool loops per mode at 300 ms and at 30 ms per model call: model calls after the one that crossed
 * a 40,000-token cap, tokens served past the cap, runs on a held main session, and the guard's hook time per call.
 */
export async function guardRows(): Promise<BenchRow[]> {
  // Measured first, while the machine is quiet.
  const decisionMicros = tableMicros();
  const harness = await loadHarness();
  const world = await harness.setUpGuardWorld();
  const section = 'guard';
  const rows: BenchRow[] = [];
  try {
    const results = new Map<string, Runaway[]>();
    // Each agent's main session, for the admission rows.
    for (const agent of ['main', 'fast'] as const) {
      await world.operator.send(MAIN_OF[agent], `hello MODE:quick ID:${agent}-main-warm`);
      await (agent === 'main' ? world.slow : world.fast).waitForCalls(`${agent}-main-warm`, 1, 180_000);
      await idle(world, MAIN_OF[agent]);
    }
    const external = await harness.startGuardedWarden(world, POLICIES, { guard: false, log: 'silent' });
    let externalAdmission;
    try {
      for (const agent of ['main', 'fast'] as const) results.set(`external ${agent}`, await runaways(world, agent, 'x'));
      externalAdmission = await admissions(world, external, 'x');
    } finally {
      await external.close();
    }
    const guarded = await harness.startGuardedWarden(world, POLICIES, { log: 'silent' });
    let guardAdmission;
    let hooks: GuardStatus['hooks'];
    try {
      for (const agent of ['main', 'fast'] as const) {
        results.set(`guard ${agent}`, await runaways(world, agent, 'g'));
        results.set(`hard ${agent}`, await runaways(world, agent, 'h'));
      }
      guardAdmission = await admissions(world, guarded, 'g');
      // The guard reports its hook timings every 10 s.
      const since = Date.now();
      const deadline = since + 15_000;
      while (Date.now() < deadline && !((guarded.warden.guard?.status()[0]?.lastReportAt ?? 0) > since)) await new Promise((r) => setTimeout(r, 250));
      hooks = guarded.warden.guard?.status()[0]?.hooks;
    } finally {
      await guarded.close();
    }
    for (const [agent, speed] of [
      ['main', '300 ms'],
      ['fast', '30 ms'],
    ] as const) {
      const label = { external: 'external-only', guard: 'guard', hard: 'hard: true' } as const;
      const cell = (mode: keyof typeof label, f: (r: readonly Runaway[]) => string): string => `${label[mode]} ${f(results.get(`${mode} ${agent}`) ?? [])}`;
      const after = (r: readonly Runaway[]): string =>
        `${percentile(
          r.map((x) => x.callsAfterCrossing),
          50,
        )} / ${Math.max(...r.map((x) => x.callsAfterCrossing))}`;
      const past = (r: readonly Runaway[]): string =>
        `${tok(
          percentile(
            r.map((x) => x.pastCap),
            50,
          ),
        )} / ${tok(Math.max(...r.map((x) => x.pastCap)))}`;
      rows.push(
        {
          section,
          case: `${speed}/call, ${RUNAWAYS} runaways per mode: model calls after the crossing one, p50 / max`,
          measured: [cell('external', after), cell('guard', after), cell('hard', after)].join(' · '),
          target: 'guard: 0',
        },
        {
          section,
          case: `${speed}/call: tokens served past the 40,000 cap, p50 / max`,
          measured: [cell('external', past), cell('guard', past), cell('hard', past)].join(' · '),
          target: 'hard: true ≤ 0',
        },
      );
    }
    rows.push(
      {
        section,
        case: `runs started on a held main session (${externalAdmission.attempts} per mode, both speeds)`,
        measured: `external-only: ${externalAdmission.abortedOutside} started and aborted from outside, ${externalAdmission.modelCalls} model calls · guard: ${guardAdmission.refused} refusals at admission journaled, ${guardAdmission.modelCalls} model calls`,
        target: 'guard: 0 model calls',
      },
      {
        section,
        case: `guard decision time per hook call in the gateway, p50 / p99 / max (${hooks?.calls ?? 0} calls)`,
        measured: hooks ? `${hooks.p50us} / ${hooks.p99us} / ${hooks.maxUs} µs` : 'no report',
        target: 'µs',
      },
      { section, case: 'decision in-process: VerdictTable.toolCall, 10,000 sessions with a hard cap', measured: `${decisionMicros.toFixed(2)} µs`, target: '-' },
    );
    return rows;
  } finally {
    await world.close();
  }
}

/** `guard` bench section. */
export const guardBench: BenchSection = { name: 'guard', run: guardRows };
