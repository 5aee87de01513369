import { open, readFile, readdir, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalEntry } from './journal-types.js';

/** A journal entry before it is numbered and timestamped. */
export type JournalRecord = Omit<JournalEntry, 'seq' | 'time'>;

export interface JournalQuery {
  /** Epoch ms: only entries at or after. */
  readonly since?: number;
  /** Only entries about this session key. */
  readonly session?: string;
  /** Only entries with seq below this (paging backwards). */
  readonly before?: number;
  readonly limit: number;
}

/** Journal file names: the live file and its rotations, newest first. */
const LIVE = 'journal.jsonl';
const rotated = (n: number): string => `journal.${n}.jsonl`;

/**
 * The append-only audit journal: one JSON line per decision, action and result. Each append is fsynced before it
 * resolves, so an entry the caller saw acknowledged survives `kill -9`. Rotates by size, keeping `keep` old files.
 */
export class Journal {
  #handle?: FileHandle;
  #size = 0;
  #seq = 0;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<(entry: JournalEntry) => void>();

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    private readonly now: () => number,
  ) {}

  /** Opens (creating) the journal in `dir` and recovers the sequence number from its last line. */
  static async open(dir: string, options: { maxBytes: number; keep: number; now?: () => number }): Promise<Journal> {
    const journal = new Journal(dir, options.maxBytes, options.keep, options.now ?? Date.now);
    await journal.#recover();
    return journal;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** Appends one entry durably; resolves with the numbered entry once it is on disk. */
  append(record: JournalRecord): Promise<JournalEntry> {
    const next = this.#chain.then(() => this.#write(record));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Called with every entry after it is durable (for live updates). */
  subscribe(listener: (entry: JournalEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads entries newest first, across rotated files, filtered and limited. */
  async read(query: JournalQuery): Promise<JournalEntry[]> {
    await this.#chain;
    const out: JournalEntry[] = [];
    for (const name of [LIVE, ...Array.from({ length: this.keep }, (_, i) => rotated(i + 1))]) {
      const lines = await readLines(join(this.dir, name));
      for (let i = lines.length - 1; i >= 0 && out.length < query.limit; i--) {
        const entry = parseLine(lines[i] ?? '');
        if (!entry) continue;
        if (query.before !== undefined && entry.seq >= query.before) continue;
        if (query.since !== undefined && Date.parse(entry.time) < query.since) return out;
        if (query.session !== undefined && entry.session !== query.session) continue;
        out.push(entry);
      }
      if (out.length >= query.limit) break;
    }
    return out;
  }

  /** Every entry with a sequence number above `seq`, oldest first, across rotated files (for replay at start). */
  async entriesAfter(seq: number): Promise<JournalEntry[]> {
    await this.#chain;
    const out: JournalEntry[] = [];
    const names = [...Array.from({ length: this.keep }, (_, i) => rotated(this.keep - i)), LIVE];
    for (const name of names) {
      for (const line of await readLines(join(this.dir, name))) {
        const entry = parseLine(line);
        if (entry && entry.seq > seq) out.push(entry);
      }
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async close(): Promise<void> {
    await this.#chain;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #write(record: JournalRecord): Promise<JournalEntry> {
    const entry: JournalEntry = { seq: this.#seq + 1, time: new Date(this.now()).toISOString(), ...record };
    const line = `${JSON.stringify(entry)}\n`;
    if (this.#size > 0 && this.#size + Buffer.byteLength(line) > this.maxBytes) await this.#rotate();
    const handle = await this.#file();
    await handle.write(line);
    await handle.sync();
    this.#size += Buffer.byteLength(line);
    this.#seq = entry.seq;
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        // A broken listener (e.g. a disconnected SSE client) must never fail the audit trail.
      }
    }
    return entry;
  }

  async #file(): Promise<FileHandle> {
    this.#handle ??= await open(join(this.dir, LIVE), 'a', 0o600);
    return this.#handle;
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    await rm(join(this.dir, rotated(this.keep)), { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      await rename(join(this.dir, rotated(n)), join(this.dir, rotated(n + 1))).catch(ignoreMissing);
    }
    if (this.keep >= 1) await rename(join(this.dir, LIVE), join(this.dir, rotated(1)));
    else await rm(join(this.dir, LIVE), { force: true });
    this.#size = 0;
  }

  async #recover(): Promise<void> {
    const names = new Set(await readdir(this.dir).catch(() => [] as string[]));
    if (names.has(LIVE)) {
      const text = await readFile(join(this.dir, LIVE));
      // A crash mid-append leaves a torn tail that was never acknowledged: cut it so the next entry starts on its own line.
      const end = text.lastIndexOf(0x0a) + 1;
      if (end !== text.length) await truncate(join(this.dir, LIVE), end);
      this.#size = end;
    }
    for (const name of [LIVE, ...Array.from({ length: this.keep }, (_, i) => rotated(i + 1))]) {
      if (!names.has(name)) continue;
      const lines = await readLines(join(this.dir, name));
      for (let i = lines.length - 1; i >= 0; i--) {
        const entry = parseLine(lines[i] ?? '');
        if (entry) {
          this.#seq = entry.seq;
          return;
        }
      }
    }
  }
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A torn last line (crash mid-write before fsync returned) is skipped, never fatal. */
function parseLine(line: string): JournalEntry | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as JournalEntry;
    return typeof value.seq === 'number' && typeof value.time === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
