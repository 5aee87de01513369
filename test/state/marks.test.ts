import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';
import type { Decision } from '../../src/domain/decision.js';
import type { Mark } from '../../src/domain/mark.js';
import type { JournalEntry } from '../../src/state/journal-types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-marks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const target = { source: 'home', key: 'agent:a:s1', generation: 'g1', agent: 'a', main: false, active: false };
const decision: Decision = {
  id: 'idle|home|agent:a:s1|g1|e1|s0',
  policy: 'idle',
  kind: 'violation',
  scope: 'session',
  subject: 'session agent:a:s1',
  stateKey: 'idle|home|agent:a:s1|g1',
  targets: [target],
  step: 0,
  episode: 1,
  actions: [{ action: 'cleanup', cleanup: 'archive', notice: 3_600_000 }],
  reason: 'idle 3h > 2h (policy idle)',
  measurements: [],
  mode: 'enforce',
};
const mark: Mark = {
  id: `${decision.id}|0|home|agent:a:s1`,
  decision,
  action: { action: 'cleanup', cleanup: 'archive', notice: 3_600_000 },
  target,
  at: 1_000,
  due: 3_601_000,
  reason: decision.reason,
};

let seq = 0;
const entry = (fields: Omit<JournalEntry, 'seq' | 'time' | 'reason'>, at = 2_000): JournalEntry => ({ seq: ++seq, time: new Date(at).toISOString(), reason: 'r', ...fields });

describe('marks in the state store', () => {
  it('survive a restart through state.json', async () => {
    const { store } = await StateStore.open(dir, 0);
    store.marks.set(mark.id, mark);
    await store.commit();
    const { store: again } = await StateStore.open(dir, 0);
    expect([...again.marks.values()]).toEqual([mark]);
  });

  it('are rebuilt from the journal when state.json is lost (kill -9 before the snapshot)', async () => {
    const { store } = await StateStore.open(dir, 0);
    const report = store.replay([entry({ type: 'mark', result: 'marked', item: mark.id, mark })]);
    expect(report.marks).toBe(1);
    expect(store.marks.get(mark.id)).toEqual(mark);
  });

  it('end in the journal as they end in the daemon: acted on, cancelled (never placed again) or dropped', async () => {
    const acted = (await StateStore.open(dir, 0)).store;
    acted.replay([entry({ type: 'mark', result: 'marked', item: mark.id, mark }), entry({ type: 'action', item: mark.id, result: 'done', action: 'cleanup' })]);
    expect(acted.marks.size).toBe(0);
    expect(acted.actions.get(mark.id)?.status).toBe('done');

    const cancelled = (await StateStore.open(dir, 0)).store;
    cancelled.replay([entry({ type: 'mark', result: 'marked', item: mark.id, mark }), entry({ type: 'mark', result: 'cancelled', item: mark.id, by: 'api' }, 5_000)]);
    expect(cancelled.marks.size).toBe(0);
    expect(cancelled.actions.get(mark.id)).toEqual({ status: 'cancelled', at: 5_000 });

    const dropped = (await StateStore.open(dir, 0)).store;
    dropped.replay([entry({ type: 'mark', result: 'marked', item: mark.id, mark }), entry({ type: 'mark', result: 'dropped', item: mark.id, by: 'policy' })]);
    expect(dropped.marks.size).toBe(0);
    expect(dropped.actions.has(mark.id)).toBe(false);
  });
});
