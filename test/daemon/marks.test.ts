import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CAST } from '../../src/sources/demo/index.js';
import { actions, startWorld, T0, type DaemonWorld } from './harness.js';

// Marks in the running daemon: they survive restarts and a lost state.json, and fall due on their own timer.

const FLEET = `
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
safety: { maxActionsPerSweep: 50, protect: ["agent:*:main"] }
`;
const idle = (notice: string): string => `${FLEET}
policies:
  - name: idle
    when: { idle: "> 24h" }
    do: [{ cleanup: archive, notice: ${notice} }]
`;

let world: DaemonWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const marked = (w: DaemonWorld): string[] => w.daemon.enforcer.marks().map((m) => `${m.decision.policy} ${m.action.action} ${m.target.key} ${m.due - T0}`);

describe('marks in the daemon', () => {
  it('mark instead of archiving, survive a restart, and act at the due time if the policy still matches', async () => {
    world = await startWorld(idle('1h'));
    expect(marked(world)).toEqual([`idle cleanup ${DEMO_CAST.idle} 3600000`]);
    expect(actions(await world.journal())).toEqual([]);
    expect(world.daemon.sessions().find((s) => s.session.key === DEMO_CAST.idle)?.marks).toEqual([expect.objectContaining({ policy: 'idle', action: 'archive', due: T0 + 3_600_000 })]);
    world.clock.now = T0 + 30 * 60_000;
    await world.restart();
    expect(marked(world)).toEqual([`idle cleanup ${DEMO_CAST.idle} 3600000`]);
    expect(actions(await world.journal())).toEqual([]);
    world.clock.now = T0 + 3_600_000;
    await world.daemon.sweep();
    expect(actions(await world.journal())).toEqual([`idle cleanup ${DEMO_CAST.idle} done`]);
    expect(marked(world)).toEqual([]);
  });

  it('are rebuilt from the journal when state.json is lost (as after kill -9), and act once', async () => {
    world = await startWorld(idle('1h'));
    await world.daemon.close();
    await writeFile(join(world.dir, 'state', 'state.json'), '{"format":"clawwarden-state","version":1,"episodes":[');
    await world.restart();
    const entries = await world.journal();
    expect(entries.find((e) => e.type === 'config' && /state rebuilt from the journal/.test(e.reason))?.reason).toMatch(/1 mark\(s\)/);
    expect(marked(world)).toEqual([`idle cleanup ${DEMO_CAST.idle} 3600000`]);
    // Not marked anew (the notice does not restart) and not acted on early.
    expect(entries.filter((e) => e.type === 'mark' && e.result === 'marked')).toHaveLength(1);
    world.clock.now = T0 + 3_600_000;
    await world.daemon.sweep();
    await world.daemon.sweep();
    expect(actions(await world.journal())).toEqual([`idle cleanup ${DEMO_CAST.idle} done`]);
  });

  it('are dropped, journaled, when a reload removes their policy, and never act', async () => {
    world = await startWorld(idle('1h'));
    expect(marked(world)).toEqual([`idle cleanup ${DEMO_CAST.idle} 3600000`]);
    await world.daemon.reload({ ...world.config, policies: [] });
    expect(marked(world)).toEqual([]);
    const dropped = (await world.journal()).find((e) => e.type === 'mark' && e.result === 'dropped');
    expect(dropped).toMatchObject({ policy: 'idle', session: DEMO_CAST.idle, by: 'config' });
    expect(dropped?.reason).toMatch(/^mark dropped: policy idle is no longer loaded \(reloaded .*clawwarden\.yaml\); /);
    expect(dropped?.reason).toContain(`will not archive ${DEMO_CAST.idle} at ${new Date(T0 + 3_600_000).toISOString()}`);
    world.clock.now = T0 + 2 * 3_600_000;
    await world.daemon.sweep();
    expect(actions(await world.journal())).toEqual([]);
  });

  it('fall due on the due-timer, with no sweep and no usage event', async () => {
    world = await startWorld(idle('1s'));
    expect(marked(world)).toEqual([`idle cleanup ${DEMO_CAST.idle} 1000`]);
    world.clock.now = T0 + 2_000;
    const w = world;
    await vi.waitFor(async () => expect(actions(await w.journal())).toEqual([`idle cleanup ${DEMO_CAST.idle} done`]), { timeout: 10_000, interval: 100 });
  });
});
