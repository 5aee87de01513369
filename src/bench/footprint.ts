import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSection } from './section.js';
import { freePort } from '../cli/run/port.js';

const IDLE_SESSIONS = 1_000;
const WINDOW_MS = 30_000;
/** Start-up (module loading, schema compilation, the first sweep) allocates far more than idling needs; V8 gives it back within ~15 s. */
const SETTLE_MS = 30_000;

/** The built CLI (benches run from src/ with tsx; the daemon is measured as shipped, without a TypeScript loader). */
function cliPath(): string {
  const built = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  if (!existsSync(built)) throw new Error(`the footprint bench measures the built daemon: run "npm run build" first (${built} is missing)`);
  return built;
}

/** RSS (bytes) and user+system CPU time (clock ticks) of a process, from /proc. */
async function sample(pid: number): Promise<{ rss: number; ticks: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return { rss: rssKb * 1024, ticks: Number(stat[11]) + Number(stat[12]) };
}

/** `getconf CLK_TCK`: 100 on every Linux we target. */
const CLK_TCK = 100;

/**
 * Starts `clawwarden run` as its own process on the demo source with `sessions` extra healthy sessions and no
 * simulation ticks inside the window (tickMs 60 s), waits for /readyz, then samples RSS and CPU over `windowMs`.
 */
async function idleDaemon(sessions: number, windowMs: number): Promise<{ rssMb: number; startupRssMb: number; cpuPercent: number; readyMs: number }> {
  if (process.platform !== 'linux') throw new Error('the footprint bench reads /proc (Linux only)');
  const dir = await mkdtemp(join(tmpdir(), 'clawwarden-footprint-'));
  const port = await freePort();
  const file = join(dir, 'clawwarden.yaml');
  await writeFile(
    file,
    `sources:
  - { name: demo, type: demo, seed: 42, sessions: ${sessions}, tickMs: 60000 }
schedule: "* * * * *"
stateDir: ${JSON.stringify(join(dir, 'state'))}
http: { listen: "127.0.0.1:${port}" }
safety: { maxActionsPerSweep: 20, protect: ["agent:*:main"] }
policies:
  - name: session-token-cap
    when: { tokens.total: "> 200k" }
    do: [ stop ]
  - name: agent-daily-budget
    scope: agent
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $25" }
    do: [ pause ]
`,
  );
  const child = spawn(process.execPath, [cliPath(), 'run', '--config', file, '--log-level', 'warn'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`clawwarden run exited early (${child.exitCode}): ${stderr.slice(-1000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() - started > 60_000) throw new Error('clawwarden run not ready within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const readyMs = Date.now() - started;
    const pid = child.pid!;
    // Start-up peak: sampled while the first sweep, JIT and GC settle; then the idle window.
    let startupPeak = 0;
    const settleStart = performance.now();
    while (performance.now() - settleStart < SETTLE_MS) {
      startupPeak = Math.max(startupPeak, (await sample(pid)).rss);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const first = await sample(pid);
    const t0 = performance.now();
    let peak = first.rss;
    while (performance.now() - t0 < windowMs) {
      await new Promise((r) => setTimeout(r, 1_000));
      peak = Math.max(peak, (await sample(pid)).rss);
    }
    const last = await sample(pid);
    const seconds = (performance.now() - t0) / 1000;
    return { rssMb: peak / 1024 / 1024, startupRssMb: startupPeak / 1024 / 1024, cpuPercent: ((last.ticks - first.ticks) / CLK_TCK / seconds) * 100, readyMs };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Daemon RSS and CPU% while idle with 1,000 demo sessions (a separate `clawwarden run` process, /proc sampling). */
export async function footprintRows(): Promise<BenchRow[]> {
  const idle = await idleDaemon(IDLE_SESSIONS, WINDOW_MS);
  // The same daemon with only the 13-agent demo cast: how much of the RSS is the process itself, not the sessions.
  const base = await idleDaemon(0, 5_000);
  const section = 'footprint';
  return [
    {
      section,
      case: `idle daemon, ${IDLE_SESSIONS.toLocaleString('en-US')} demo sessions: peak RSS over ${WINDOW_MS / 1000} s, after ${SETTLE_MS / 1000} s settling`,
      measured: `${idle.rssMb.toFixed(1)} MB`,
      target: '≤ 80 MB',
    },
    {
      section,
      case: `idle daemon, ${IDLE_SESSIONS.toLocaleString('en-US')} demo sessions: peak RSS during the first ${SETTLE_MS / 1000} s (start-up)`,
      measured: `${idle.startupRssMb.toFixed(1)} MB`,
      target: '-',
    },
    { section, case: `idle daemon, ${IDLE_SESSIONS.toLocaleString('en-US')} demo sessions: CPU over ${WINDOW_MS / 1000} s`, measured: `${idle.cpuPercent.toFixed(2)} %`, target: '~0 %' },
    { section, case: 'idle daemon: start → /readyz 200', measured: `${idle.readyMs} ms`, target: '-' },
    { section, case: 'idle daemon, demo cast only (~20 sessions): peak RSS after settling (baseline)', measured: `${base.rssMb.toFixed(1)} MB`, target: '-' },
  ];
}

/** `footprint` bench section. */
export const footprintBench: BenchSection = { name: 'footprint', run: footprintRows };
