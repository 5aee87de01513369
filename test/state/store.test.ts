import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStore } from '../../src/state/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('round-trips episodes, warn de-dup, holds and action records through state.json', async () => {
    const { store } = await StateStore.open(dir, 0);
    store.episodes.set('cap|home|k|g', { episode: 2, firedAt: 1000, stepDone: 1, cooldownUntil: 5000 });
    store.warned.add('budget|agent|a|w');
    store.setHold({ source: 'home', key: 'agent:a:main', generation: 'g1', agent: 'a', kind: 'hold', policy: 'budget', by: 'policy', reason: 'pause: cost', at: 10, until: 99 });
    store.actions.set('d|0|home|k', { status: 'pending', at: 20 });
    await store.commit();
    const { store: again, problem } = await StateStore.open(dir, 0);
    expect(problem).toBeUndefined();
    expect(again.episodes.get('cap|home|k|g')).toEqual({ episode: 2, firedAt: 1000, stepDone: 1, cooldownUntil: 5000 });
    expect(again.warned.has('budget|agent|a|w')).toBe(true);
    expect(again.hold('home', 'agent:a:main')?.until).toBe(99);
    expect(again.actions.get('d|0|home|k')).toEqual({ status: 'pending', at: 20 });
  });

  it.each([
    ['not JSON', '{"format": "clawwarden-st', /not valid JSON/],
    ['a foreign document', '{"hello": "world"}', /not a clawwarden state file/],
    ['a future version', '{"format":"clawwarden-state","version":9,"episodes":[],"warned":[],"holds":[],"actions":[]}', /unsupported state version 9/],
  ])('moves %s aside and reports it instead of silently resetting', async (_label, text, reason) => {
    await writeFile(join(dir, 'state.json'), text);
    const { store, problem } = await StateStore.open(dir, Date.UTC(2026, 0, 1));
    expect(problem?.code).toBe('STATE_FILE_INVALID');
    expect(problem?.message).toMatch(reason);
    expect(problem?.message).toContain('moved aside');
    expect(store.episodes.size).toBe(0);
    const files = await readdir(dir);
    expect(files).toContain('state.json.invalid-2026-01-01T00-00-00-000Z');
    expect(await readFile(join(dir, 'state.json.invalid-2026-01-01T00-00-00-000Z'), 'utf8')).toBe(text);
  });

  it('releases holds and prunes only what is past retention and out of cooldown', async () => {
    const { store } = await StateStore.open(dir, 0);
    store.setHold({ source: 's', key: 'k', generation: 'g', agent: 'a', kind: 'archive', by: 'api', reason: 'r', at: 0 });
    expect(store.releaseHold('s', 'k')?.by).toBe('api');
    expect(store.hold('s', 'k')).toBeUndefined();
    store.actions.set('old', { status: 'done', at: 0 });
    store.actions.set('new', { status: 'done', at: 9_000 });
    store.episodes.set('old', { episode: 1, firedAt: 0, stepDone: 0 });
    store.episodes.set('cooling', { episode: 1, firedAt: 0, stepDone: 0, cooldownUntil: 20_000 });
    store.prune(10_000, 5_000);
    expect([...store.actions.keys()]).toEqual(['new']);
    expect([...store.episodes.keys()]).toEqual(['cooling']);
  });

  it('serialises concurrent commits so the last snapshot wins', async () => {
    const { store } = await StateStore.open(dir, 0);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      store.actions.set(`a${i}`, { status: 'done', at: i });
      writes.push(store.commit());
    }
    await Promise.all(writes);
    const doc = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { actions: unknown[] };
    expect(doc.actions).toHaveLength(10);
  });
});
