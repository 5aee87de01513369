import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createEngine } from '../engine/engine.js';
import { evaluate } from '../engine/evaluate.js';
import type { EngineState } from '../domain/decision.js';
import { Ledger } from '../ledger/ledger.js';
import { compilePolicy } from '../policy/compile.js';
import { policyValidator } from '../policy/schema.js';
import type { Policy } from '../policy/types.js';
import { type Session } from '../domain/session.js';
import { ACTION_NAMES } from '../domain/action.js';
import { median, peakRssMb, type BenchRow, type BenchSection } from './section.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const MIN = 60_000;

/** Twenty policies of the kinds operators write: caps, idle cleanup, burn, ratios, states and per-agent/fleet budgets. */
const POLICIES_YAML = `
- { name: session-token-cap, match: { agent: "backend-*", exclude: { key: "agent:*:main" } }, when: { tokens.total: "> 200k" }, do: [ { notify: ops-chat }, stop ], escalate: [ { after: 5m, if: active, do: kill } ], cooldown: 30m }
- { name: session-hard-cap, when: { tokens.total: "> 2M" }, do: [ notify, kill ] }
- { name: session-cost-cap, when: { cost: "> $10" }, warn: 80%, do: [ notify, stop ] }
- { name: inefficient, when: { all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 40" } ] }, do: [ { notify: ops-email }, pause ] }
- { name: idle-cleanup, when: { idle: "> 24h" }, do: [ { cleanup: archive } ] }
- { name: old-sessions, match: { kind: direct }, when: { age: "> 14d" }, do: [ { cleanup: delete } ] }
- { name: long-runs, when: { runtime: "> 30m" }, do: [ notify, stop ] }
- { name: token-burn, when: { burn: { tokens: "> 20k", per: 1m } }, do: [ notify, stop ] }
- { name: cost-burn, when: { burn: { cost: "> $1", per: 10m } }, do: [ notify ] }
- { name: cache-bloat, when: { tokens.cache: "> 1.5M" }, do: [ compact ] }
- { name: output-flood, match: { model: "claude-*" }, when: { tokens.output: "> 100k" }, do: [ notify ] }
- { name: stuck-paused, when: { all: [ { state: [paused, held] }, { idle: "> 7d" } ] }, do: [ { cleanup: archive } ] }
- { name: active-and-big, match: { channel: [slack, discord] }, when: { all: [ { active: true }, { tokens.total: "> 500k" } ] }, do: [ stop ] }
- { name: quiet-main, match: { key: "agent:*:main" }, when: { not: { active: true }, idle: "> 3d" }, do: [ notify ] }
- { name: provider-cap, match: { provider: openai }, when: { any: [ { cost: "> $5" }, { tokens.input: "> 400k" } ] }, do: [ notify, pause ] }
- { name: ops-cap, match: { agent: [ "ops-*", "infra-*" ] }, when: { tokens.total: "> 300k" }, do: [ stop ] }
- { name: team-daily-budget, scope: agent, window: { every: day, at: "00:00", tz: Europe/Berlin }, when: { cost: "> $25" }, warn: 80%, do: [ notify, pause ] }
- { name: team-weekly-tokens, scope: agent, window: { every: week, at: "06:00", tz: America/New_York }, when: { tokens.total: "> 50M" }, do: [ notify ] }
- { name: fleet-daily-budget, scope: fleet, window: { every: day, tz: UTC }, when: { cost: "> $50_000" }, do: [ notify ] }
- { name: fleet-monthly, scope: fleet, window: { every: month, tz: UTC }, when: { cost: "> $1M" }, warn: 90%, do: [ notify ] }
`;

/** Compiles the bench's 20 policies (throws if any has a problem). */
export function benchPolicies(): Policy[] {
  const options = { notifiers: ['ops-chat', 'ops-email'], capabilities: new Set(ACTION_NAMES), validate: policyValidator() };
  return (parse(POLICIES_YAML) as unknown[]).map((raw, i) => {
    const { policy, problems } = compilePolicy(raw, { file: 'bench', line: i + 1, column: 1, path: `policies[${i}]` }, options);
    if (!policy) throw new Error(`bench policy ${i}: ${JSON.stringify(problems)}`);
    return policy;
  });
}

const AGENTS = ['backend', 'frontend', 'ops', 'infra', 'research', 'support', 'sales', 'data'];
const MODELS = ['claude-sonnet-4', 'gpt-5', 'gemini-2.5-pro'];
const PROVIDERS = ['anthropic', 'openai', 'google'];
const CHANNELS = ['slack', 'discord', 'telegram', 'web'];

/**
 * A deterministic fleet of `n` sessions over n/100 agents, each with 1-3 calls in the ledger; like a real
 * fleet, about 1-2 % of sessions break some policy (runaways, long idlers, very old or long-running ones).
 */
export function benchFleet(n: number): { sessions: Session[]; ledger: Ledger } {
  const ledger = new Ledger();
  const sessions: Session[] = [];
  const agentCount = Math.max(8, Math.floor(n / 100));
  for (let i = 0; i < n; i++) {
    const agent = `${AGENTS[i % AGENTS.length]}-${i % agentCount}`;
    const main = i % 50 === 0;
    const active = i % 7 === 0;
    const s: Session = {
      source: 'home',
      key: main ? `agent:${agent}:main` : `agent:${agent}:s${i}`,
      generation: `gen-${i}`,
      agent,
      model: MODELS[i % 3]!,
      provider: PROVIDERS[i % 3]!,
      channel: CHANNELS[i % 4]!,
      kind: i % 5 === 0 ? 'group' : 'direct',
      main,
      archived: false,
      active,
      startedAt: NOW - (i % 211 === 0 ? 20 : (i % 10) + 1) * 86_400_000,
      lastActivityAt: NOW - (i % 97 === 0 ? 2000 : i % 600) * MIN,
      ...(active ? { runStartedAt: NOW - (i % 301 === 0 ? 45 : i % 20) * MIN } : {}),
    };
    sessions.push(s);
    const calls = 1 + (i % 3);
    // One session in 200 is a runaway: far past the caps.
    const scale = i % 200 === 0 ? 60 : 1;
    for (let c = 0; c < calls; c++) {
      ledger.ingest({
        source: s.source,
        key: s.key,
        generation: s.generation,
        agent,
        id: String(c + 1),
        at: NOW - (i % 600) * MIN - c * 2 * MIN,
        input: 4000 * scale,
        output: 300 * scale,
        cacheRead: 2000 * scale,
        cacheWrite: 500,
        cost: 0.05 * scale,
      });
    }
  }
  return { sessions, ledger };
}

const EMPTY_STATE: EngineState = { episodes: new Map(), warned: new Set(), holds: new Map() };

/** CPU ms (user + system) of one call: CPU, not wall time, so a busy machine sharing its cores does not inflate it; evaluation is synchronous, so it is one core's time. */
function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** New calls landing between two sweeps (untimed): `count` sessions spread over the fleet spend a little at `at`. */
function spendBetweenSweeps(fleet: { sessions: Session[]; ledger: Ledger }, round: number, count: number, at: number): void {
  const { sessions, ledger } = fleet;
  for (let c = 0; c < count; c++) {
    const s = sessions[(round * 7919 + c * 104_729) % sessions.length]!;
    ledger.ingest({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, id: `sweep${round}-${c}`, at, input: 3000, output: 200, cacheRead: 1000, cacheWrite: 0, cost: 0.03 });
  }
}

interface Measured {
  readonly ms: number;
  readonly decisions: number;
}

/**
 * The daemon's steady state: one engine kept across evaluations over the same Session objects, the clock a second
 * further each time (so no memo can key on it, while the fleet's decisions stay those of the one-shot row) and n/1000
 * new calls in the ledger since the last one; median over `runs` after a warm-up.
 */
function measureEngine(n: number, policies: readonly Policy[], runs: number): Measured {
  const fleet = benchFleet(n);
  const engine = createEngine(policies);
  const times: number[] = [];
  let decisions = 0;
  // Small fleets finish before the JIT has optimised the engine: warm those up for longer.
  const warmup = n <= 10_000 ? 20 : 5;
  for (let r = 0; r < runs + warmup; r++) {
    const now = NOW + r * 1000;
    if (r > 0) spendBetweenSweeps(fleet, r, Math.max(1, n / 1000), now - 500);
    const ms = cpuMs(() => (decisions = engine.evaluate({ sessions: fleet.sessions, ledger: fleet.ledger, policies, state: EMPTY_STATE, now, mode: 'enforce' }).decisions.length));
    if (r >= warmup) times.push(ms);
  }
  return { ms: median(times), decisions };
}

/** Median CPU ms of the one-shot `evaluate` (a fresh engine per call: what every evaluation cost before createEngine). */
function measureOneShot(n: number, policies: readonly Policy[], runs: number): Measured {
  const { sessions, ledger } = benchFleet(n);
  const times: number[] = [];
  let decisions = 0;
  const warmup = n <= 10_000 ? 20 : 5;
  for (let r = 0; r < runs + warmup; r++) {
    const ms = cpuMs(() => (decisions = evaluate({ sessions, ledger, policies, state: EMPTY_STATE, now: NOW, mode: 'enforce' }).decisions.length));
    if (r >= warmup) times.push(ms);
  }
  return { ms: median(times), decisions };
}

/** Engine: 1k / 10k / 100k sessions × 20 policies, persistent engine in steady state; one-shot evaluate at 100k. */
export const engineBench: BenchSection = {
  name: 'engine',
  async run(): Promise<BenchRow[]> {
    const policies = benchPolicies();
    const rows: BenchRow[] = [];
    const perPair: number[] = [];
    for (const [n, runs] of [
      [1_000, 31],
      [10_000, 15],
      [100_000, 9],
    ] as const) {
      const { ms, decisions } = measureEngine(n, policies, runs);
      const pairs = n * policies.length;
      perPair.push(ms / pairs);
      const label = `${n.toLocaleString('en-US')} sessions × ${policies.length} policies`;
      rows.push({
        section: 'engine',
        case: `${label}: median CPU per evaluation (engine, steady state)`,
        measured: `${ms.toFixed(1)} ms (${decisions} decisions)`,
        target: n === 100_000 ? '≤ 100 ms' : '-',
      });
      rows.push({ section: 'engine', case: `${label}: throughput`, measured: `${(pairs / (ms / 1000) / 1e6).toFixed(1)} M sessions·policies/s`, target: '-' });
      rows.push({ section: 'engine', case: `${label}: peak RSS of the bench so far`, measured: `${peakRssMb().toFixed(0)} MB`, target: '-' });
    }
    rows.push({ section: 'engine', case: 'linearity: time per pair, 100k vs 10k', measured: `${(perPair[2]! / perPair[1]!).toFixed(2)}×`, target: '≈ 1× (linear)' });
    const once = measureOneShot(100_000, policies, 5);
    rows.push({
      section: 'engine',
      case: `100,000 sessions × ${policies.length} policies: one-shot evaluate (nothing remembered)`,
      measured: `${once.ms.toFixed(1)} ms (${once.decisions} decisions)`,
      target: '-',
    });
    rows.push({ section: 'engine', case: 'calibration: 100k lookups in a 100k-key Map', measured: `${calibrate().toFixed(1)} ms`, target: 'reference: scales the rows above' });
    rows.push({ section: 'engine', case: 'footprint: process tracking 100k sessions (ledger + inventory)', measured: `${footprintMb().toFixed(0)} MB RSS`, target: '≤ 250 MB' });
    return rows;
  },
};

/** How slow this machine is right now at the engine's dominant operation (a string-keyed lookup in a big Map). */
function calibrate(): number {
  const map = new Map<string, number>();
  const keys: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    map.set(`agent:backend-${i % 1000}:s${i}`, i);
    keys.push(`agent:backend-${i % 1000}:s${i}`);
  }
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.cpuUsage();
    let hits = 0;
    for (const k of keys) if (map.get(k) !== undefined) hits++;
    const used = process.cpuUsage(start);
    if (hits === keys.length) times.push((used.user + used.system) / 1000);
  }
  return median(times);
}

/** RSS of a fresh process holding a 100k-session fleet and its ledger, after a full GC. */
function footprintMb(): number {
  const script = `import { benchFleet } from ${JSON.stringify(fileURLToPath(import.meta.url))};
const fleet = benchFleet(100000);
globalThis.gc();
process.stdout.write(String(process.memoryUsage().rss / 1048576 + fleet.sessions.length * 0));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.trim());
}
