import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { entriesFor, spawnWarden, stopWarden, waitReady, writeWardenConfig, type ChildWarden, type WardenFiles } from './support/daemon.js';
import { eventually } from './support/operator.js';
import { skipE2E, useWorld, type World } from './support/world.js';
import { Random } from '../../src/sources/demo/random.js';

// The ladder of the hardening issue: 40k-token cap → stop, kill 20 s later, sweep every 5 s.
const AFTER_MS = 20_000;
const SWEEP_MS = 5_000;
const TRIALS = Number(process.env.CW_CRASH_TRIALS ?? 10);
const LANES = 2;
/** Where in the ladder a trial aims its kill -9 (the journal at the kill instant says where it really landed). */
const PHASES = ['before-decision', 'pending', 'after-stop', 'grace', 'down-past-due'] as const;
type Phase = (typeof PHASES)[number];

const policy = (prefix: string): string => `  - name: crash-cap
    match: { key: "agent:main:${prefix}-*" }
    when: { tokens.total: "> 40000" }
    do: [ stop ]
    escalate:
      - after: 20s
        do: kill`;

/** mulberry32: a seeded generator, so a failing run can be replayed with CW_CRASH_SEED. */
function random(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Journal lines read straight from the file (the daemon may be dead): oldest first. */
async function journalOf(files: WardenFiles): Promise<JournalEntry[]> {
  const text = await readFile(join(files.stateDir, 'journal.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalEntry];
      } catch {
        return [];
      }
    });
}

/** What the journal showed at the kill instant. */
function landed(entries: readonly JournalEntry[], key: string): string {
  const mine = entries.filter((e) => e.session === key || e.plan?.targets.some((t) => t.key === key));
  if (mine.some((e) => e.type === 'action' && e.action === 'stop')) return 'after the stop was acknowledged';
  if (mine.some((e) => e.type === 'decision')) return 'decided, stop not yet acknowledged';
  return 'before the decision';
}

interface TrialResult {
  readonly trial: number;
  readonly aimed: Phase;
  readonly landed: string;
  readonly killDelayMs: number;
  readonly stops: string[];
  readonly kills: string[];
  readonly dueAt: number;
  readonly killAt: number;
  readonly readyAt: number;
}

async function trial(world: World, n: number, aimed: Phase, rnd: () => number, running: Set<ChildWarden>): Promise<TrialResult> {
  const prefix = `crash${n}`;
  const files = await writeWardenConfig({ gatewayUrl: world.gateway.url, policies: policy(prefix), schedule: '*/5 * * * * *' }, world.gateway.token);
  const first = spawnWarden(files, { logLevel: 'info' });
  running.add(first);
  await waitReady(first);
  const { key } = await world.operator.create(`${prefix}-1`, `loop forever MODE:loop ID:${prefix}`);
  const t0 = Date.now();
  let delay: number;
  if (aimed === 'before-decision') {
    delay = Math.floor(rnd() * 1_500);
    await sleep(delay);
  } else if (aimed === 'pending') {
    // Kill the moment the decision is durable: its pending record is committed and the abort is on its way.
    await eventually('the decision', async () => ((await journalOf(files)).some((e) => e.type === 'decision' && e.session === key) ? true : undefined), 120_000, 5);
    delay = Date.now() - t0;
  } else {
    await eventually('the stop', async () => ((await journalOf(files)).some((e) => e.type === 'action' && e.session === key && e.action === 'stop') ? true : undefined), 120_000, 10);
    await sleep(aimed === 'after-stop' ? Math.floor(rnd() * 200) : aimed === 'grace' ? 1_000 + Math.floor(rnd() * (AFTER_MS - 3_000)) : Math.floor(rnd() * 5_000));
    delay = Date.now() - t0;
  }
  // kill -9 of the daemon process itself (spawnWarden runs node directly: the child pid is the daemon).
  process.kill(first.child.pid!, 'SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  running.delete(first);
  let where = landed(await journalOf(files), key);
  if (aimed === 'down-past-due') {
    // Stay down until the kill is overdue: the restarted daemon must do it at once, on the recorded clock.
    const step = (await journalOf(files)).find((e) => e.type === 'step' && e.episode?.stateKey.includes(key));
    const due = (step?.episode?.firedAt ?? Date.now()) + AFTER_MS;
    await sleep(Math.max(0, due - Date.now()) + 2_000 + Math.floor(rnd() * 3_000));
    where = `${where}, down until past due`;
  }

  const second = spawnWarden(files, { logLevel: 'info' });
  running.add(second);
  await waitReady(second);
  const readyAt = Date.now();
  const kill = await eventually('the kill after the restart', async () => entriesFor(await journalOf(files), key, 'action').find((e) => e.action === 'kill'), 120_000, 100).catch(
    async (error: unknown) => {
      // Everything needed to see why: where the kill -9 landed, the session's journal, and both daemons' logs.
      const journal = (await journalOf(files)).filter((e) => JSON.stringify(e).includes(key)).map((e) => JSON.stringify(e));
      const tail = (text: string): string => text.split('\n').slice(-60).join('\n');
      throw new Error(
        `trial ${n} (${aimed}, ${where}, kill -9 at +${delay} ms): ${String(error)}\njournal for ${key}:\n${journal.join('\n')}\nfirst daemon:\n${tail(first.logs())}\nsecond daemon:\n${tail(second.logs())}`,
      );
    },
  );
  // A sweep or two more: nothing may follow.
  await sleep(SWEEP_MS + 1_000);
  const entries = await journalOf(files);
  running.delete(second);
  expect(await stopWarden(second, 10_000)).toBe(0);
  const acts = entriesFor(entries, key, 'action');
  const step0 = entries.find((e) => e.type === 'step' && e.episode?.stateKey.includes(key) && e.episode.stepDone === 0);
  const firedAt = step0?.episode?.firedAt ?? Number.NaN;
  return {
    trial: n,
    aimed,
    landed: where,
    killDelayMs: delay,
    stops: acts.filter((e) => e.action === 'stop').map((e) => `${e.result}${/re-issued/.test(e.detail ?? '') ? ' (re-issued)' : ''}`),
    kills: acts.filter((e) => e.action === 'kill').map((e) => e.result ?? '?'),
    dueAt: firedAt + AFTER_MS,
    killAt: Date.parse(kill.time),
    readyAt,
  };
}

describe.skipIf(skipE2E)('kill -9 at random instants across an escalation ladder, on a real OpenClaw gateway', () => {
  const world = useWorld();
  const running = new Set<ChildWarden>();
  afterAll(async () => {
    for (const w of running) {
      if (w.child.pid !== undefined && w.child.exitCode === null) process.kill(w.child.pid, 'SIGKILL');
      await w.exited;
    }
  });

  it(
    `${TRIALS} trials: each ends with the stop done once and the kill done once, on time`,
    async () => {
      const seed = Number(process.env.CW_CRASH_SEED ?? Date.now() % 1_000_000);
      const rnd = random(seed);
      console.log(`crash trials: seed ${seed} (replay a run with CW_CRASH_SEED=${seed})`);
      const results: TrialResult[] = [];
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < TRIALS) {
          const n = next++;
          results.push(await trial(world, n, PHASES[n % PHASES.length]!, rnd, running));
        }
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      results.sort((a, b) => a.trial - b.trial);
      console.log(
        `crash trials (seed ${seed}):\n${results
          .map(
            (r) =>
              `  #${r.trial} aimed ${r.aimed}, kill -9 at +${r.killDelayMs} ms landed ${r.landed}; stop ${r.stops.join(',')}; kill ${r.kills.join(',')} at due${r.killAt - r.dueAt >= 0 ? '+' : ''}${r.killAt - r.dueAt} ms (restart ready at due${r.readyAt - r.dueAt >= 0 ? '+' : ''}${r.readyAt - r.dueAt} ms)`,
          )
          .join('\n')}`,
      );
      expect(results).toHaveLength(TRIALS);
      for (const r of results) {
        const label = `trial ${r.trial} (seed ${seed}, ${r.aimed}, ${r.landed})`;
        expect(
          r.stops.filter((s) => /^(done|noop)/.test(s)),
          `${label}: one stop`,
        ).toHaveLength(1);
        expect(r.stops, `${label}: nothing but that stop`).toHaveLength(1);
        expect(r.kills, `${label}: one kill`).toEqual(['done']);
        expect(Number.isFinite(r.dueAt), `${label}: the stop's step is recorded`).toBe(true);
        // Never early; at the latest one sweep after it was due (or after the restart, when it fell due while down).
        expect(r.killAt, `${label}: not before due`).toBeGreaterThanOrEqual(r.dueAt);
        expect(r.killAt, `${label}: within one sweep of due`).toBeLessThanOrEqual(Math.max(r.dueAt, r.readyAt) + SWEEP_MS + 1_000);
      }
      expect(new Set(results.map((r) => r.landed)).size, 'the kills landed in more than one phase').toBeGreaterThan(1);
    },
    30 * 60_000,
  );
});
