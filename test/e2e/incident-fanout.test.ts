import { ifAssigned } from '../if-assigned.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childMarker, startFakeModel, type FakeModel } from './support/fake-model.js';
import { startGateway, type Gateway } from './support/gateway.js';
import { entriesFor, startWarden, type InProcessWarden } from './support/daemon.js';
import { connectOperator, eventually, type Operator } from './support/operator.js';
import { skipE2E } from './support/world.js';

// Incident 5, sub-agent fan-out (openclaw#12554, #9404): a session spawns sub-agents that keep running after the
// parent's own turn is over. A `tree: true` budget on the parent counts what its sub-agents spend; its kill reaches
// every session the parent spawned (OpenClaw's `spawnedBy`), and the sub-agents' model calls stop.

const CAP = 300_000;

describe.skipIf(skipE2E)('incident: sub-agent fan-out on a real gateway', () => {
  let model: FakeModel;
  let gateway: Gateway;
  let operator: Operator;
  let warden: InProcessWarden | undefined;

  beforeAll(async () => {
    model = await startFakeModel();
    // Sub-agents spawn only with a tool profile that offers `sessions_spawn` and Tool Search off.
    gateway = await startGateway({ modelBaseUrl: model.baseUrl, configure: (config) => void (config.tools = { profile: 'coding', toolSearch: false }) });
    operator = await connectOperator(gateway.url, gateway.token);
    await operator.create('warmup', 'hello MODE:quick ID:warmup');
    await model.waitForCalls('warmup', 1, 240_000);
  }, 600_000);
  afterAll(async () => {
    await ifAssigned(warden)?.close();
    await ifAssigned(operator)?.close();
    await ifAssigned(gateway)?.close();
    await ifAssigned(model)?.close();
  }, 60_000);

  interface Row {
    key: string;
    spawnedBy?: string;
    parentSessionKey?: string;
    hasActiveRun?: boolean;
    archived?: boolean;
  }
  // A loaded machine can make one sessions.list time out; ask again rather than fail the scenario on it.
  const rows = (): Promise<Row[]> => eventually('sessions.list', async () => (await operator.request<{ sessions: Row[] }>('sessions.list', { limit: 500, archived: 'all' })).sessions, 120_000, 1_000);
  const kidCalls = (): number => model.calls().filter((c) => c.marker.startsWith('fan-1.kid')).length;

  it('kills the parent on its tree budget; the kill reaches the looping sub-agents and their model calls stop', async () => {
    warden = await startWarden(
      {
        gatewayUrl: gateway.url,
        policies: `  - name: fanout-tree
    match: { key: "agent:main:fan-*" }
    tree: true
    when: { tokens.total: "> ${CAP}" }
    do: [ kill ]`,
      },
      gateway.token,
    );
    const w = warden;
    const parent = 'agent:main:fan-1';
    await operator.create('fan-1', 'split this up MODE:spawn CHILD:loop CHILDREN:2 ID:fan-1');
    await model.waitForCalls(childMarker('fan-1', 1), 1, 300_000);
    await model.waitForCalls(childMarker('fan-1', 2), 1, 300_000);

    // OpenClaw names the spawner in `spawnedBy`; clawwarden's inventory has it as the parent.
    const kids = (await rows()).filter((r) => r.spawnedBy === parent);
    expect(kids.map((r) => r.key).sort(), JSON.stringify(await rows())).toHaveLength(2);
    for (const kid of kids) expect(kid.key).toMatch(/^agent:main:subagent:/);
    await eventually('the inventory to link the sub-agents to the parent', () => (kids.every((k) => w.daemon.fleet.session('gw', k.key)?.parent === parent) ? true : undefined), 60_000);

    const kill = await eventually('the kill of the parent', async () => entriesFor(await w.journal(), parent, 'action').find((e) => e.action === 'kill'), 300_000);
    expect(kill, kill.detail).toMatchObject({ policy: 'fanout-tree', result: 'done', by: 'policy' });
    const decision = entriesFor(await w.journal(), parent, 'decision').find((e) => e.decision === kill.decision);
    expect(decision?.reason).toMatch(/tokens\.total [\d,]+ > 300,000 over the session and the 2 session\(s\) it spawned/);
    // The parent alone never came near the cap: the tree did.
    const own = model.served('fan-1');
    expect(own.input + own.output).toBeLessThan(CAP);

    // Each sub-agent is killed in the same decision, journaled with the parent that reached it.
    const cascaded = await eventually(
      'the kills of both sub-agents',
      async () => {
        const entries = await w.journal();
        const found = kids.map((k) => entriesFor(entries, k.key, 'action').find((e) => e.action === 'kill'));
        return found.every(Boolean) ? found : undefined;
      },
      60_000,
    );
    for (const entry of cascaded) {
      expect(entry, entry?.detail).toMatchObject({ policy: 'fanout-tree', result: 'done', decision: kill.decision });
      expect(entry?.reason).toMatch(/^because parent agent:main:fan-1 was killed: tokens\.total/);
    }

    // On the gateway: the sub-agents are archived (OpenClaw's own abort cascade would leave them `killed` but open
    // to new work), idle, and the fake model gets no more calls from them.
    await eventually(
      'the sub-agents archived and idle',
      async () => {
        const now = await rows();
        return kids.every((k) => now.find((r) => r.key === k.key)?.archived === true && now.find((r) => r.key === k.key)?.hasActiveRun === false) ? true : undefined;
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    const settled = kidCalls();
    await new Promise((r) => setTimeout(r, 8_000));
    expect(kidCalls(), 'sub-agent model calls after the kill').toBe(settled);
    await expect(operator.send(kids[0]!.key, 'carry on MODE:loop ID:fan-1.kid1')).rejects.toThrow(/archived/i);
  }, 900_000);
});
