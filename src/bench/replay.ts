import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinRegistries } from '../config/index.js';
import { loadConfigWith, type LoadOptions } from '../config/config-file.js';
import { replay } from '../replay/replay.js';
import { SessionRecorder, type Timeline, type TimelineSession } from '../replay/timeline.js';
import type { BenchRow, BenchSection } from './section.js';
import { Random } from '../sources/demo/random.js';

const AGENTS = 13;
const DAYS = 30;
const SESSIONS_PER_DAY = 10;
const DAY = 24 * 3600_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const CHILD_FLAG = '--replay-bench-child';

/** A small deterministic PRNG (mulberry32), so every run replays the same team. */
function random(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

/**
 * 30 days of a 13-agent team: per agent a main session and ten task sessions a day, each with a few runs of tool-loop
 * calls a few seconds apart whose prompts grow, and now and then a runaway run of hundreds of calls.
 */
export function syntheticTeam(seed = 7): Timeline {
  const rnd = random(seed);
  const sessions: TimelineSession[] = [];
  const between = (a: number, b: number): number => a + Math.floor(rnd() * (b - a + 1));
  for (let a = 0; a < AGENTS; a++) {
    const agent = `agent-${String(a + 1).padStart(2, '0')}`;
    const main = new SessionRecorder({ source: 'home', key: `agent:${agent}:main`, generation: `${agent}-main`, agent, main: true, model: 'sonnet-bench', createdAt: START - DAY });
    for (let d = 0; d < DAYS; d++) {
      const dayStart = START + d * DAY;
      for (let k = 0; k < 3; k++) main.call(dayStart + between(8, 20) * 3600_000 + k * 60_000, { input: 6_000 + k * 500, output: 300, cacheRead: 0, cacheWrite: 0, cost: 0.0015 });
      for (let s = 0; s < SESSIONS_PER_DAY; s++) {
        const key = `agent:${agent}:task-${d}-${s}`;
        const r = new SessionRecorder({ source: 'home', key, generation: `${key}#1`, agent, main: false, model: a % 4 === 0 ? 'opus-bench' : 'sonnet-bench' });
        let t = dayStart + between(6, 20) * 3600_000 + between(0, 3599) * 1000;
        const runs = between(1, 6);
        const runaway = rnd() < 0.012;
        let prompt = 8_000;
        for (let run = 0; run < runs; run++) {
          const calls = runaway && run === 0 ? between(500, 700) : between(25, 130);
          for (let c = 0; c < calls; c++) {
            t += between(3, 15) * 1000;
            prompt += between(300, 900);
            r.call(t, { input: prompt, output: between(150, 800), cacheRead: 0, cacheWrite: 0, cost: 0.0008 + prompt / 4e8 }, `${key}-r${run}`);
          }
          t += between(2, 90) * 60_000;
          prompt = Math.floor(prompt * 0.7);
        }
        sessions.push(r.build());
      }
    }
    sessions.push(main.build());
  }
  sessions.sort((x, y) => (x.calls.at[0] ?? 0) - (y.calls.at[0] ?? 0));
  return { origin: 'synthetic team', from: START, to: START + DAYS * DAY, sessions, gaps: [] };
}

/**
 * The shipped policy library, with the notifiers it names — except the two files whose policies act again on idle
 * sessions every cooldown for ever (token-caps: a `stop` with no run going; compact-bloated-contexts: `tokens.input` is
 * cumulative, so compaction never makes it false): the same caps acting on running sessions take their place.
 */
export function benchConfig(): NonNullable<ReturnType<typeof loadConfigWith>['config']> {
  const dir = fileURLToPath(new URL('../../policies', import.meta.url));
  const files = ['agent-daily-budget', 'burn-rate', 'dry-run-trial', 'escalation-ladder', 'fleet-monthly-budget', 'idle-cleanup', 'inefficient-sessions', 'protected-main-sessions'].map((f) =>
    resolve(dir, `${f}.yaml`),
  );
  const text = `sources: [ { name: home, type: openclaw } ]
notifiers:
  ops-chat: { type: webhook, url: "https://hooks.example.com/x" }
  ops-email: { type: webhook, url: "https://hooks.example.com/y" }
safety: { maxActionsPerSweep: 20, protect: ["agent:*:main"] }
policies:
${files.map((f) => `  - ${JSON.stringify(f)}`).join('\n')}
  - name: session-token-cap
    match: { exclude: { key: "agent:*:main" } }
    when: { all: [ { active: true }, { tokens.total: "> 2M" } ] }
    do: [ { notify: ops-chat }, stop ]
    escalate: [ { after: 5m, if: active, do: kill } ]
    cooldown: 30m
  - name: compact-running-bloat
    when: { all: [ { active: true }, { tokens.cache: "> 2M" } ] }
    do: [ compact ]
    cooldown: 6h
`;
  const options: LoadOptions = { demo: true, demoText: text, cwd: process.cwd(), env: {} };
  const loaded = loadConfigWith(builtinRegistries(), options);
  if (!loaded.config) throw new Error(loaded.errors.map((e) => e.message).join('; '));
  return loaded.config;
}

/** In the child: build the team, replay it, print the figures as one JSON line. */
async function child(): Promise<void> {
  const config = benchConfig();
  const timeline = syntheticTeam();
  const calls = timeline.sessions.reduce((n, s) => n + s.calls.length, 0);
  const started = performance.now();
  const report = await replay({ config, timeline });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ calls, sessions: timeline.sessions.length, seconds, peakMb: process.resourceUsage().maxRSS / 1024, actions: report.totals.actions, saved: report.totals.savedTokens })}\n`,
  );
}

/** Replay of 30 days of a 13-agent team, measured in its own process so the peak RSS is the replay's alone. */
export const replayBench: BenchSection = {
  name: 'replay',
  async run(): Promise<BenchRow[]> {
    const self = fileURLToPath(import.meta.url);
    const output = await new Promise<string>((done, fail) => {
      const proc = spawn(process.execPath, [...process.execArgv, self, CHILD_FLAG], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      proc.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      proc.on('error', fail);
      proc.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`replay bench child exited with ${code}`))));
    });
    const r = JSON.parse(output.trim().split('\n').pop()!) as { calls: number; sessions: number; seconds: number; peakMb: number; actions: number; saved: number };
    const team = `30 days, ${AGENTS} agents, ${r.calls.toLocaleString('en-US')} calls, ${r.sessions.toLocaleString('en-US')} sessions, the shipped policies with caps on running sessions (${r.actions} would-be actions)`;
    return [
      { section: 'replay', case: `${team}: time`, measured: `${r.seconds.toFixed(1)} s`, target: '≤ 10 s' },
      { section: 'replay', case: 'same: peak RSS of the process (history in memory included)', measured: `${Math.round(r.peakMb)} MB`, target: '≤ 500 MB' },
    ];
  },
};

if (process.argv.includes(CHILD_FLAG)) await child();
