import type { BudgetUse } from '../domain/decision.js';
import type { SessionDisplayState, SessionView } from '../http/view.js';
import { createMetrics } from '../metrics/metrics.js';
import { median, type BenchRow, type BenchSection } from './section.js';

const STATES: readonly SessionDisplayState[] = ['running', 'idle', 'idle', 'idle', 'paused', 'held', 'archived'];

/** A deterministic fleet of `n` sessions over 2 sources and 100 agents, each with two session-scope budgets. */
function fleet(n: number): { sessions: SessionView[]; budgets: BudgetUse[] } {
  const sessions: SessionView[] = [];
  for (let i = 0; i < n; i++) {
    const agent = `agent-${i % 100}`;
    const input = (i * 7_919) % 400_000;
    const output = (i * 104_729) % 20_000;
    sessions.push({
      session: { source: i % 2 === 0 ? 'home' : 'lab', key: `agent:${agent}:s${i}`, generation: `g${i}`, agent, main: false, archived: false, active: i % 7 === 0 },
      state: STATES[i % STATES.length] as SessionDisplayState,
      usage: { input, output, cacheRead: i % 1000, cacheWrite: i % 300, cost: input / 1e6, total: input + output + (i % 1000) + (i % 300), calls: 10, known: true },
      budgets: [
        { policy: 'session-token-cap', scope: 'session', subject: `session agent:${agent}:s${i}`, ratio: input / 200_000 },
        { policy: 'inefficient', scope: 'session', subject: `session agent:${agent}:s${i}`, ratio: input / Math.max(1, output) / 40 },
      ],
      can: ['stop', 'kill', 'pause'],
      protected: false,
    });
  }
  const budgets: BudgetUse[] = Array.from({ length: 100 }, (_, a) => ({ policy: 'agent-daily', scope: 'agent', subject: `agent agent-${a}`, agent: `agent-${a}`, ratio: a / 100 }));
  return { sessions, budgets };
}

async function measure(n: number, runs: number): Promise<{ ms: number; cpuMs: number; bytes: number; series: number }> {
  const snapshot = fleet(n);
  // The daemon's wiring: the fleet is pulled and aggregated at scrape time, so this times the whole /metrics body.
  const metrics = createMetrics({ topSessions: 50, version: 'bench', fleet: () => snapshot });
  const times: number[] = [];
  const cpu: number[] = [];
  let text = '';
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    text = await metrics.render();
    const used = process.cpuUsage(cpuStart);
    const elapsed = performance.now() - start;
    // The first renders warm the JIT; a daemon scraped every 15 s is long past them.
    if (r >= 10) {
      times.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  return { ms: median(times), cpuMs: median(cpu), bytes: Buffer.byteLength(text), series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length };
}

/** `/metrics` render time at 1k and 10k sessions (target ≤ 25 ms at 10k). */
export async function metricsBenchRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [n, runs] of [
    [1_000, 50],
    [10_000, 30],
  ] as const) {
    const { ms, cpuMs, bytes, series } = await measure(n, runs);
    rows.push({
      section: 'metrics',
      case: `/metrics render, ${n.toLocaleString('en-US')} sessions (fleet pull + exposition, top 50)`,
      // CPU time beside wall time: on a busy host the wall figure mostly measures the other processes.
      measured: `${ms.toFixed(1)} ms (cpu ${cpuMs.toFixed(1)} ms; ${series} samples, ${(bytes / 1024).toFixed(0)} KiB)`,
      target: n === 10_000 ? '≤ 25 ms' : '-',
    });
  }
  return rows;
}

/** The metrics bench section for src/bench/main.ts. */
export const metricsBench: BenchSection = { name: 'metrics', run: metricsBenchRows };
