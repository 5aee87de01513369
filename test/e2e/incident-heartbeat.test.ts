import { ifAssigned } from '../if-assigned.js';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { entriesFor, startWarden, type InProcessWarden } from './support/daemon.js';
import { startFakeModel, type FakeModel, type ServedCall } from './support/fake-model.js';
import { objectAt, startGateway, type Gateway } from './support/gateway.js';
import { connectOperator, eventually, type Operator } from './support/operator.js';
import { skipE2E } from './support/world.js';

// Incident 3 (openclaw#98556, $248 on a session idle for 21 days): heartbeat turns keep a main session "active",
// so an idle policy keyed on the last activity never fires. Here: one human message, then heartbeats every
// ~30 s (the gateway's floor for a "10s" cadence); the shipped policy, with 3 days made 90 s and 2 hours 45 s.

const MAIN = 'agent:main:main';
const HUMAN_IDLE = '90s';
const RECENT = '45s';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** policies/heartbeat-abandoned.yaml, time-compressed, on the main session only, pausing without a notifier. */
function shippedPolicyCompressed(): string {
  const text = readFileSync(join(root, 'policies', 'heartbeat-abandoned.yaml'), 'utf8');
  const body = text.slice(text.indexOf('policies:\n') + 'policies:\n'.length);
  const replace = (from: string, to: string, s: string): string => {
    if (!s.includes(from)) throw new Error(`policies/heartbeat-abandoned.yaml no longer says ${from}: update this test`);
    return s.replace(from, to);
  };
  let policy = replace('idle.human: "> 3d"', `idle.human: "> ${HUMAN_IDLE}"`, body);
  policy = replace('idle: "< 2h"', `idle: "< ${RECENT}"`, policy);
  policy = replace('do: [ notify, pause ]', 'do: [ pause ]', policy);
  policy = replace('    when:\n', `    match: { key: "${MAIN}" }\n    when:\n`, policy);
  return policy;
}

describe.skipIf(skipE2E)('incident: heartbeat burn on an abandoned session (real OpenClaw gateway)', () => {
  let model: FakeModel;
  let gateway: Gateway;
  let operator: Operator;
  let warden: InProcessWarden | undefined;

  beforeAll(async () => {
    model = await startFakeModel();
    // Heartbeats on, as shipped, but short; `target: none` runs them without a channel to deliver to.
    const start = (): Promise<Gateway> =>
      startGateway({
        modelBaseUrl: model.baseUrl,
        configure: (config) => {
          // A heartbeat turn's timeout defaults to its cadence (10 s): too short for a turn on a loaded machine.
          objectAt(config, 'agents', 'defaults')['heartbeat'] = { every: '10s', target: 'none', timeoutSeconds: 180 };
        },
      });
    // On a loaded machine the gateway can give up on its own state lease within 5 s and exit; a second start is fine.
    gateway = await start().catch((error: unknown) => {
      if (!(error instanceof Error) || !/exited with \d+ before it was ready/.test(error.message)) throw error;
      return start();
    });
    operator = await connectOperator(gateway.url, gateway.token);
    // The first turn on a fresh HOME spends 20+ s preparing; pay it on another session, not on the human's turn.
    await operator.create('warmup', 'hello MODE:quick ID:warmup');
    await model.waitForCalls('warmup', 1, 180_000);
  }, 420_000);

  afterAll(async () => {
    await ifAssigned(warden)?.close();
    await ifAssigned(operator)?.close();
    await ifAssigned(gateway)?.close();
    await ifAssigned(model)?.close();
  }, 60_000);

  it('pauses the main session by time since the human last wrote, which plain idle never reaches, and heartbeat calls stop billing', async () => {
    // One human message; nobody writes again.
    await operator.send(MAIN, 'please remember my shopping list MODE:quick ID:human');
    const seen = (error: Error): never => {
      throw new Error(
        `${error.message}; calls so far: ${model
          .calls()
          .map((c) => `${c.marker}${c.closedEarly ? '(cut)' : ''}`)
          .join(', ')}`,
      );
    };
    await model.waitForCalls('human', 1, 300_000).catch(seen);
    // Then the gateway's heartbeats take over: billed turns with nobody writing. The human's turn is one call
    // (MODE:quick answers with text); every later call of this session is a heartbeat turn, which the fake model
    // counts under the same marker (the heartbeat prompt carries none, so it falls back to the session's first).
    const heartbeats = (): ServedCall[] =>
      model
        .calls('human')
        .slice(1)
        .filter((c) => !c.closedEarly);
    await model.waitForCalls('human', 2, 300_000).catch(seen);

    // clawwarden comes in now; it reads the human time from the gateway's session row.
    warden = await startWarden(
      {
        gatewayUrl: gateway.url,
        schedule: '*/5 * * * * *',
        policies: `${shippedPolicyCompressed()}
  - name: plain-idle
    mode: observe
    match: { key: "${MAIN}" }
    when: { idle: "> ${HUMAN_IDLE}" }
    do: [ pause ]`,
      },
      gateway.token,
    );
    const w = warden;

    const pause = await eventually(
      'heartbeat-abandoned to pause the main session',
      async () => entriesFor(await w.journal(), MAIN, 'action').find((e) => e.action === 'pause' && e.policy === 'heartbeat-abandoned'),
      360_000,
      1_000,
    );
    expect(pause, `pause: ${pause.detail}`).toMatchObject({ result: 'done', by: 'policy' });
    // Caught by the human measure while something was still spending: by the gateway's definition of activity the
    // session was busy (a model call within 45 s), 90 s after the only human message.
    expect(pause.reason).toMatch(/idle\.human (\d+m )?\d+s > 1m 30s/);
    expect(pause.reason).toMatch(/; idle \d+s < 45s/);
    // What kept it busy were heartbeat turns, billed by the model, with no human input after the first message.
    const heartbeatsBefore = heartbeats();
    expect(heartbeatsBefore.length).toBeGreaterThanOrEqual(1);
    // An idle policy on the platform's last activity, same threshold, had not fired.
    const journal = await w.journal();
    const plain = entriesFor(journal, MAIN).filter((e: JournalEntry) => e.policy === 'plain-idle');
    expect(plain, JSON.stringify(plain)).toEqual([]);
    // The gateway's row, where the source reads the human time: set by the one message, not moved by the heartbeats.
    const rows = await operator.request<{ sessions: { key: string; lastInteractionAt?: number }[] }>('sessions.list', { limit: 500 });
    const lastHumanAt = rows.sessions.find((r) => r.key === MAIN)?.lastInteractionAt;
    expect(lastHumanAt).toBeTypeOf('number');
    expect(heartbeatsBefore.every((c) => c.at > lastHumanAt!)).toBe(true);

    // Heartbeats keep coming; each run started on the held session is aborted before it bills.
    const heldAborts = async (): Promise<JournalEntry[]> => entriesFor(await w.journal(), MAIN, 'action').filter((e) => e.action === 'stop' && /session is held/.test(e.reason));
    await eventually('a heartbeat run on the held session to be aborted', async () => ((await heldAborts()).length >= 1 ? true : undefined), 240_000, 1_000);
    const servedAtFirstAbort = heartbeats().length;
    await eventually('a second heartbeat run to be aborted', async () => ((await heldAborts()).length >= 2 ? true : undefined), 240_000, 1_000);
    const aborts = await heldAborts();
    expect(
      aborts.every((a) => a.result === 'done' || a.result === 'noop'),
      JSON.stringify(aborts),
    ).toBe(true);
    // A whole heartbeat cadence passed between the two aborts and the model served no heartbeat call in it.
    expect(heartbeats().length).toBe(servedAtFirstAbort);
  }, 900_000);
});
