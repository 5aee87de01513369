import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallHistory, readHistory } from '../replay/history-file.js';
import type { Session } from '../sources/source.js';
import { syntheticTeam } from './replay.js';
import type { BenchRow, BenchSection } from './section.js';

const DAY = 24 * 3600_000;
/** The history's own flush threshold: a busy daemon writes and syncs every 2,000 lines (else every second). */
const BATCH = 2_000;

/**
 * The per-call history the daemon keeps for `replay --from state`: the synthetic 13-agent team's 30 days written call by
 * call as the daemon writes them (each call with its session's facts and run starts, on a clock that moves with the
 * calls, so the daily segments roll over), synced every 2,000 calls; then its size per million calls, and read back.
 */
export const historyBench: BenchSection = {
  name: 'history',
  async run(): Promise<BenchRow[]> {
    const team = syntheticTeam();
    // Every call of the team in time order, as (session, call) pairs.
    const total = team.sessions.reduce((n, s) => n + s.calls.length, 0);
    const owner = new Int32Array(total);
    const index = new Int32Array(total);
    const at = new Float64Array(total);
    let k = 0;
    team.sessions.forEach((s, si) => {
      for (let i = 0; i < s.calls.length; i++, k++) {
        owner[k] = si;
        index[k] = i;
        at[k] = s.calls.at[i]!;
      }
    });
    const order = Uint32Array.from({ length: total }, (_, i) => i).sort((a, b) => at[a]! - at[b]! || a - b);
    const dir = await mkdtemp(join(tmpdir(), 'clawwarden-history-bench-'));
    try {
      let clock = team.from;
      const history = await CallHistory.open(dir, { now: () => clock, retentionMs: 60 * DAY });
      const live = new Map<number, Session>();
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let n = 0; n < total; n++) {
        const c = order[n]!;
        const s = team.sessions[owner[c]!]!;
        const i = index[c]!;
        const runStartedAt = s.calls.at[s.runs[s.calls.run[i]!]!.first]!;
        let session = live.get(owner[c]!);
        if (!session || session.runStartedAt !== runStartedAt) {
          session = {
            source: s.source,
            key: s.key,
            generation: s.generation,
            agent: s.agent,
            main: s.main,
            archived: false,
            active: true,
            runStartedAt,
            ...(s.model ? { model: s.model } : {}),
            ...(s.createdAt !== undefined ? { startedAt: s.createdAt } : {}),
          };
          live.set(owner[c]!, session);
        }
        clock = s.calls.at[i]!;
        history.session(session);
        history.record({
          source: s.source,
          key: s.key,
          generation: s.generation,
          agent: s.agent,
          id: `${s.key}#${i}`,
          at: clock,
          input: s.calls.input[i]!,
          output: s.calls.output[i]!,
          cacheRead: s.calls.cacheRead[i]!,
          cacheWrite: s.calls.cacheWrite[i]!,
          cost: s.calls.cost[i]!,
        });
        if ((n + 1) % BATCH === 0) await history.flush();
      }
      await history.close();
      const writeSeconds = (performance.now() - started) / 1000;
      const writeCpu = cpuSeconds(process.cpuUsage(cpu));
      const files = await readdir(dir);
      let bytes = 0;
      for (const f of files) bytes += (await stat(join(dir, f))).size;
      const readStarted = performance.now();
      const readCpuFrom = process.cpuUsage();
      const back = await readHistory(dir, team.from, team.to + DAY);
      const readSeconds = (performance.now() - readStarted) / 1000;
      const readCpu = cpuSeconds(process.cpuUsage(readCpuFrom));
      const read = back.sessions.reduce((n, s) => n + s.calls.length, 0);
      if (read !== total) throw new Error(`read back ${read} of ${total} calls`);
      const perMillion = (bytes / total) * 1e6;
      const calls = `${total.toLocaleString('en-US')} calls of 30 days, ${team.sessions.length.toLocaleString('en-US')} sessions`;
      return [
        {
          section: 'history',
          case: `${calls}: file size per million calls (${files.length} daily segments, ${(bytes / 1024 / 1024).toFixed(0)} MiB in all)`,
          measured: `${(perMillion / 1024 / 1024).toFixed(1)} MiB (${Math.round(bytes / total)} B/call)`,
          target: '≤ 1 GiB bound',
        },
        {
          section: 'history',
          case: 'same: write throughput (with session facts, synced every 2,000 calls)',
          measured: `${Math.round(total / writeSeconds).toLocaleString('en-US')} calls/s (${writeSeconds.toFixed(1)} s, cpu ${writeCpu.toFixed(1)} s)`,
          target: '-',
        },
        { section: 'history', case: 'same: read back for replay --from state', measured: `${readSeconds.toFixed(1)} s (cpu ${readCpu.toFixed(1)} s)`, target: '-' },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** User + system CPU of a `process.cpuUsage` difference, in seconds (the machine may be busy with other work). */
function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}
