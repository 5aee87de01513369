import { mkdtemp, readFile, readdir, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/state/journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Journal', () => {
  it('appends numbered JSON lines that are on disk when append resolves', async () => {
    let t = Date.UTC(2026, 10, 24, 12);
    const journal = await Journal.open(dir, { maxBytes: 1 << 20, keep: 2, now: () => t });
    const first = await journal.append({ type: 'decision', policy: 'cap', session: 'agent:a:x', reason: 'tokens.total 300,000 > 200,000' });
    t += 1000;
    const second = await journal.append({ type: 'action', policy: 'cap', session: 'agent:a:x', action: 'stop', result: 'done', reason: 'r' });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const lines = (await readFile(join(dir, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; type: string; time: string });
    expect(lines.map((l) => [l.seq, l.type, l.time])).toEqual([
      [1, 'decision', '2026-11-24T12:00:00.000Z'],
      [2, 'action', '2026-11-24T12:00:01.000Z'],
    ]);
    await journal.close();
  });

  it('continues the sequence after a restart and skips a torn last line', async () => {
    const a = await Journal.open(dir, { maxBytes: 1 << 20, keep: 2 });
    await a.append({ type: 'config', reason: 'one' });
    await a.append({ type: 'config', reason: 'two' });
    await a.close();
    await appendFile(join(dir, 'journal.jsonl'), '{"seq":3,"time":"2026-11-2'); // a crash mid-write
    const b = await Journal.open(dir, { maxBytes: 1 << 20, keep: 2 });
    expect(b.lastSeq).toBe(2);
    const next = await b.append({ type: 'config', reason: 'three' });
    expect(next.seq).toBe(3);
    const read = await b.read({ limit: 10 });
    expect(read.map((e) => e.reason)).toEqual(['three', 'two', 'one']);
    await b.close();
  });

  it('rotates by size, keeps `keep` old files, and reads across them newest first', async () => {
    const journal = await Journal.open(dir, { maxBytes: 400, keep: 2 });
    for (let i = 1; i <= 20; i++) await journal.append({ type: 'config', reason: `entry ${i} ${'x'.repeat(40)}` });
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['journal.1.jsonl', 'journal.2.jsonl', 'journal.jsonl']);
    const all = await journal.read({ limit: 100 });
    const seqs = all.map((e) => e.seq);
    expect(seqs[0]).toBe(20);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(seqs.length).toBeLessThan(20); // the oldest rotated away
    await journal.close();
  });

  it('filters by session, since and before (paging)', async () => {
    let t = 1_000_000;
    const journal = await Journal.open(dir, { maxBytes: 1 << 20, keep: 1, now: () => t });
    for (let i = 1; i <= 6; i++) {
      t += 60_000;
      await journal.append({ type: 'action', session: i % 2 ? 'odd' : 'even', reason: `r${i}` });
    }
    expect((await journal.read({ limit: 10, session: 'odd' })).map((e) => e.reason)).toEqual(['r5', 'r3', 'r1']);
    expect((await journal.read({ limit: 10, since: t - 120_000 })).map((e) => e.reason)).toEqual(['r6', 'r5', 'r4']);
    const page1 = await journal.read({ limit: 2 });
    const page2 = await journal.read({ limit: 2, before: page1[1]!.seq });
    expect([...page1, ...page2].map((e) => e.reason)).toEqual(['r6', 'r5', 'r4', 'r3']);
    await journal.close();
  });

  it('tells subscribers about each durable entry and survives a throwing subscriber', async () => {
    const journal = await Journal.open(dir, { maxBytes: 1 << 20, keep: 1 });
    const seen: number[] = [];
    journal.subscribe(() => {
      throw new Error('broken listener');
    });
    journal.subscribe((e) => seen.push(e.seq));
    await journal.append({ type: 'config', reason: 'a' });
    await journal.append({ type: 'config', reason: 'b' });
    expect(seen).toEqual([1, 2]);
    await journal.close();
  });
});
