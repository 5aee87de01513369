import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CAST } from '../../src/sources/demo/index.js';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { actions, startWorld, T0, type DaemonWorld } from './harness.js';

const LADDER = `
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
safety: { maxActionsPerSweep: 50, protect: ["agent:*:main"] }
policies:
  - name: cap
    match: { key: "${DEMO_CAST.runaway}" }
    when: { tokens.total: "> 200k" }
    do: [stop]
    escalate:
      - { after: 5m, do: kill }
  - name: lazy
    match: { key: "${DEMO_CAST.inefficient}" }
    when: { ratio.input_output: "> 40" }
    do: [pause]
    cooldown: 1h
`;

let world: DaemonWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const runaway = (entries: readonly JournalEntry[]): string[] => actions(entries).filter((a) => a.includes(DEMO_CAST.runaway));

/** Closes a daemon that stopped the runaway and reads back its state and journal files, the journal, the stop's decision and action. */
async function stoppedRunaway(w: DaemonWorld): Promise<{ stateFile: string; journalFile: string; lines: JournalEntry[]; decision: JournalEntry; action: JournalEntry }> {
  await w.daemon.close();
  const stateFile = join(w.dir, 'state', 'state.json');
  const journalFile = join(w.dir, 'state', 'journal.jsonl');
  const lines = (await readFile(journalFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEntry);
  const decision = lines.find((e) => e.type === 'decision' && e.session === DEMO_CAST.runaway)!;
  const action = lines.find((e) => e.type === 'action' && e.session === DEMO_CAST.runaway)!;
  return { stateFile, journalFile, lines, decision, action };
}

describe('crash safety: nothing the daemon decided is lost or repeated', () => {
  it('rebuilds escalation clocks, holds and cooldowns from the journal when state.json is corrupt', async () => {
    world = await startWorld(LADDER);
    const before = actions(await world.journal());
    expect(before).toEqual(expect.arrayContaining([`cap stop ${DEMO_CAST.runaway} done`, `lazy pause ${DEMO_CAST.inefficient} done`]));
    await world.daemon.close();
    await writeFile(join(world.dir, 'state', 'state.json'), '{"format":"clawwarden-state","version":1,"episodes":[');
    world.clock.now = T0 + 60_000;
    await world.restart();
    const entries = await world.journal();
    expect(entries.find((e) => e.type === 'config' && /state rebuilt from the journal/.test(e.reason))?.reason).toMatch(/2 escalation\/cooldown record\(s\), 1 hold\(s\)/);
    // Nothing repeated: the stop and the pause are not done again, the hold is known, the cooldown holds.
    expect(actions(entries)).toEqual(before);
    expect(world.daemon.state.hold('demo', DEMO_CAST.inefficient)).toMatchObject({ policy: 'lazy', by: 'policy' });
    // The kill clock runs from the original stop (T0), not from the restart.
    world.clock.now = T0 + 4 * 60_000;
    await world.daemon.sweep();
    expect(runaway(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`]);
    world.clock.now = T0 + 5 * 60_000 + 1_000;
    await world.daemon.sweep();
    expect(runaway(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`, `cap kill ${DEMO_CAST.runaway} done`]);
  });

  it('finishes a decision a crash interrupted between the pending record and the platform answer, once, on the original clock', async () => {
    // Put state.json and the journal back to the instant after the stop was recorded as pending, before its answer.
    world = await startWorld(LADDER);
    const { stateFile, journalFile, lines, decision, action } = await stoppedRunaway(world);
    // The decision carries the usage it was made on, restored into the ledger if the ledger file lags behind.
    expect(decision.usage).toMatchObject({ source: 'demo', key: DEMO_CAST.runaway });
    expect(decision.usage!.input + decision.usage!.output + decision.usage!.cacheRead + decision.usage!.cacheWrite).toBeGreaterThan(200_000);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, unknown>;
    const episodes = (state.episodes as [string, unknown][]).filter(([k]) => !k.startsWith('cap|'));
    const pendingAt = T0;
    const plan = decision.plan!;
    const inflight = [{ id: decision.decision, policy: 'cap', kind: 'violation', mode: 'enforce', reason: decision.reason, measurements: decision.measurements, ...plan }];
    const acts = (state.actions as [string, unknown][]).filter(([k]) => k !== action.item);
    acts.push([action.item!, { status: 'pending', at: pendingAt }]);
    await writeFile(stateFile, JSON.stringify({ ...state, episodes, actions: acts, inflight, journalSeq: decision.seq }));
    await writeFile(
      journalFile,
      `${lines
        .filter((e) => e.seq <= decision.seq)
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );
    await rm(join(world.dir, 'state', 'ledger.json'), { force: true });

    world.clock.now = T0 + 20_000;
    await world.restart();
    const after = await world.journal();
    const stops = after.filter((e) => e.type === 'action' && e.session === DEMO_CAST.runaway);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ action: 'stop', policy: 'cap' });
    expect(stops[0]!.detail).toMatch(/re-issued: the previous process stopped during this call/);
    expect(after.find((e) => e.type === 'decision' && /^resumed after a restart/.test(e.reason))).toBeDefined();
    // The kill is due 5 min after the first attempt (T0), not after the restart.
    world.clock.now = T0 + 5 * 60_000 + 1_000;
    await world.daemon.sweep();
    expect(runaway(await world.journal()).map((a) => a.split(' ')[1])).toEqual(['stop', 'kill']);
  });

  it('records the step of a decision a crash interrupted after its last action and before the step record, so the ladder goes on', async () => {
    // Put state.json and the journal back to the instant the stop's answer was journaled, before its step record.
    world = await startWorld(LADDER);
    const { stateFile, journalFile, lines, decision, action } = await stoppedRunaway(world);
    expect(lines.some((e) => e.type === 'step' && e.decision === decision.decision)).toBe(true);
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, unknown>;
    const episodes = (state.episodes as [string, unknown][]).filter(([k]) => !k.startsWith('cap|'));
    const acts = (state.actions as [string, unknown][]).filter(([k]) => k !== action.item);
    acts.push([action.item!, { status: 'pending', at: T0 }]);
    const inflight = [{ id: decision.decision, policy: 'cap', kind: 'violation', mode: 'enforce', reason: decision.reason, measurements: decision.measurements, ...decision.plan! }];
    await writeFile(stateFile, JSON.stringify({ ...state, episodes, actions: acts, inflight, journalSeq: decision.seq }));
    await writeFile(
      journalFile,
      `${lines
        .filter((e) => e.seq <= action.seq && !(e.type === 'step' && e.decision === decision.decision))
        .map((e) => JSON.stringify(e))
        .join('\n')}\n`,
    );

    world.clock.now = T0 + 20_000;
    await world.restart();
    const after = await world.journal();
    // The stop is not repeated, and its step is recorded with the clock of the stop, not of the restart.
    expect(runaway(after)).toEqual([`cap stop ${DEMO_CAST.runaway} done`]);
    const step = after.find((e) => e.type === 'step' && e.decision === decision.decision);
    expect(step?.episode).toMatchObject({ stepDone: 0, firedAt: Date.parse(action.time) });
    world.clock.now = T0 + 4 * 60_000;
    await world.daemon.sweep();
    expect(runaway(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`]);
    world.clock.now = Date.parse(action.time) + 5 * 60_000 + 1_000;
    await world.daemon.sweep();
    expect(runaway(await world.journal()).map((a) => a.split(' ')[1])).toEqual(['stop', 'kill']);
  });

  it('escalates on the recorded crossing when usage is unknown after the stop, and is loud when usage stays unknown', async () => {
    // A real HTTP endpoint behind a webhook notifier: the operator is told, not just the journal.
    const received: { kind?: string; session?: string; title?: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    world = await startWorld(LADDER.replace('policies:', `notifiers:\n  hook: { type: webhook, url: "http://127.0.0.1:${port}/hook" }\npolicies:`));
    expect(runaway(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`]);
    // The platform stops re-reporting usage (as OpenClaw's usage cache does while it refreshes).
    world.demo.usage = async () => [];
    world.daemon.fleet.ledger.markUnknown('demo');
    world.daemon.fleet.ledger.markKnown('demo');
    for (const e of world.daemon.fleet.ledger.entries()) (e as { known: boolean }).known = false;
    for (let i = 0; i < 3; i++) {
      world.clock.now += 60_000;
      await world.daemon.sweep();
    }
    const entries = await world.journal();
    const loud = entries.filter((e) => e.type === 'refusal' && /is still unknown after 3 sweeps/.test(e.reason));
    expect(loud.map((e) => e.session)).toContain(DEMO_CAST.runaway);
    expect(await world.metrics.render()).toMatch(/clawwarden_sessions_usage_unknown\{source="demo"\} [1-9]/);
    const told = await vi.waitFor(
      () => {
        const message = received.find((m) => m.kind === 'usage-unknown' && m.session === DEMO_CAST.runaway);
        if (!message) throw new Error('no usage-unknown notification yet');
        return message;
      },
      { timeout: 10_000 },
    );
    expect(told.title).toMatch(new RegExp(`Usage of ${DEMO_CAST.runaway} unknown`));
    server.close();
    world.clock.now = T0 + 5 * 60_000 + 1_000;
    await world.daemon.sweep();
    const kill = (await world.journal()).find((e) => e.type === 'action' && e.action === 'kill' && e.session === DEMO_CAST.runaway);
    expect(kill).toMatchObject({ policy: 'cap', result: 'done' });
    expect(kill?.reason).toMatch(/recorded\); usage not re-established since, escalating on the recorded crossing/);
    expect(kill?.reason).toMatch(/tokens\.total [\d,]+ > 200,000/);
  });

  it('takes an escalation step on its own timer when it falls due, without waiting for a sweep', async () => {
    world = await startWorld(LADDER.replace('after: 5m', 'after: 2s'), Date.now());
    const clock = world.clock;
    Object.defineProperty(clock, 'now', { get: () => Date.now() });
    expect(runaway(await world.journal())).toEqual([`cap stop ${DEMO_CAST.runaway} done`]);
    // The schedule never fires ("0 0 1 1 *"): only the escalation timer can take the step.
    await new Promise((r) => setTimeout(r, 3_000));
    const kill = (await world.journal()).find((e) => e.type === 'action' && e.action === 'kill' && e.session === DEMO_CAST.runaway);
    expect(kill).toMatchObject({ policy: 'cap', result: 'done' });
    const stop = (await world.journal()).find((e) => e.type === 'step' && e.episode?.stepDone === 0 && e.episode.stateKey.startsWith('cap|'));
    expect(Date.parse(kill!.time) - stop!.episode!.firedAt).toBeGreaterThanOrEqual(2_000);
  });
});
