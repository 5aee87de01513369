import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session, UsageRecord } from '../sources/source.js';
import { SessionRecorder, type Gap, type SessionMeta, type Timeline } from './timeline.js';

/** How long recorded calls are kept by default: a little longer than the 30 days a replay looks back. */
export const HISTORY_RETENTION_MS = 35 * 24 * 3600_000;
/** Recorded history is kept under this many bytes by default; the oldest segments go first. */
export const HISTORY_MAX_BYTES = 1024 * 1024 * 1024;
/** A segment is closed and a new one started past this size or age (retention drops whole segments). */
const SEGMENT_BYTES = 32 * 1024 * 1024;
const SEGMENT_MS = 24 * 3600_000;
const FLUSH_MS = 1_000;
const FLUSH_LINES = 2_000;
const HEADER = '#clawwarden-calls 1';
const SUFFIX = '.calls';

/**
 * clawwarden's own per-call history for `replay --from state`: every model call the daemon counted, with the session
 * facts policies match on and when runs started. Append-only segment files in `dir` (one per daemon start, and a new one
 * every day or 32 MiB), tab-separated lines, flushed and synced every second: a crash loses at most the last second and
 * never damages what was written (a torn last line is ignored when read). Bounded by age and total size: segments whose
 * calls are all past retention are dropped at every new segment, so a daemon that runs for months keeps only its window.
 *
 * Lines: `U <ms>` recording started, `D <ms>` stopped cleanly, `S <n> <json [source,key,generation,agent]>` a session
 * generation numbered for this segment, `M <n> <json>` its model/provider/channel/kind/main/createdAt, `R <n> <ms>` a run
 * started, `C <n> <at> <id> <input> <output> <cacheRead> <cacheWrite> <cost>` a call.
 */
export class CallHistory {
  #handle: FileHandle | undefined;
  #size = 0;
  #segmentStartedAt = 0;
  #lines: string[] = [];
  #ids = new Map<string, number>();
  #meta = new Map<number, string>();
  #runs = new Map<number, number>();
  #writing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    readonly dir: string,
    private retentionMs: number,
    private readonly maxBytes: number,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Opens `dir` (created, mode 0700), drops segments past retention or the size bound, and starts a new segment. */
  static async open(dir: string, options: { retentionMs?: number; maxBytes?: number; now?: () => number; onError?: (error: unknown) => void } = {}): Promise<CallHistory> {
    const history = new CallHistory(dir, options.retentionMs ?? HISTORY_RETENTION_MS, options.maxBytes ?? HISTORY_MAX_BYTES, options.now ?? Date.now, options.onError ?? (() => undefined));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await history.#prune();
    await history.#startSegment(history.now());
    history.#timer = setInterval(() => void history.flush().catch(history.onError), FLUSH_MS);
    history.#timer.unref();
    return history;
  }

  /** One call the ledger counted (call it only for calls `Ledger.ingest` returned true for: replays of a call are not new calls). */
  record(r: UsageRecord): void {
    if (this.#closed) return;
    const n = this.#declare(r.source, r.key, r.generation, r.agent);
    this.#push(`C\t${n}\t${r.at}\t${clean(r.id)}\t${r.input}\t${r.output}\t${r.cacheRead}\t${r.cacheWrite}\t${r.cost}`);
  }

  /** What a session looks like now: its match fields (once per segment, and when they change) and each run start. */
  session(s: Session): void {
    if (this.#closed) return;
    const n = this.#declare(s.source, s.key, s.generation, s.agent);
    const meta = JSON.stringify({
      ...(s.model ? { model: s.model } : {}),
      ...(s.provider ? { provider: s.provider } : {}),
      ...(s.channel ? { channel: s.channel } : {}),
      ...(s.kind ? { kind: s.kind } : {}),
      main: s.main,
      ...(s.startedAt !== undefined ? { createdAt: s.startedAt } : {}),
    });
    if (this.#meta.get(n) !== meta) {
      this.#meta.set(n, meta);
      this.#push(`M\t${n}\t${meta}`);
    }
    if (s.active && s.runStartedAt !== undefined && this.#runs.get(n) !== s.runStartedAt) {
      this.#runs.set(n, s.runStartedAt);
      this.#push(`R\t${n}\t${s.runStartedAt}`);
    }
  }

  /** A new retention (a reloaded config): applied from the next new segment on. */
  retain(retentionMs: number): void {
    this.retentionMs = retentionMs;
  }

  /** Writes what is buffered and syncs it; resolves when it is on disk. */
  flush(): Promise<void> {
    const next = this.#writing.then(() => this.#write());
    this.#writing = next.catch(() => undefined);
    return next;
  }

  /** Flushes, marks a clean stop, and closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#push(`D\t${this.now()}`);
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #declare(source: string, key: string, generation: string, agent: string): number {
    const id = `${source}\u0000${key}\u0000${generation}`;
    let n = this.#ids.get(id);
    if (n === undefined) {
      n = this.#ids.size;
      this.#ids.set(id, n);
      this.#push(`S\t${n}\t${JSON.stringify([source, key, generation, agent])}`);
    }
    return n;
  }

  #push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length >= FLUSH_LINES) void this.flush().catch(this.onError);
  }

  async #write(): Promise<void> {
    if (!this.#handle) return;
    const at = this.now();
    const roll = !this.#closed && (this.#size >= SEGMENT_BYTES || at - this.#segmentStartedAt >= SEGMENT_MS);
    if (this.#lines.length === 0 && !roll) return;
    // The stop mark and the next segment's start carry the same time: the reader sees no gap between them.
    const text = `${[...this.#lines, ...(roll ? [`D\t${at}`] : [])].join('\n')}\n`;
    this.#lines = [];
    // From here on every line is the next segment's (its sessions are declared in it anew), also those pushed while
    // this write is under way.
    if (roll) this.#beginSegment(at);
    await this.#handle.write(text);
    await this.#handle.datasync();
    this.#size += Buffer.byteLength(text);
    if (roll) {
      await this.#handle.close();
      this.#handle = undefined;
      await this.#prune();
      await this.#openSegment(at);
    }
  }

  async #startSegment(at: number): Promise<void> {
    this.#beginSegment(at);
    await this.#openSegment(at);
  }

  /** A new segment's memory: no session declared yet; the header and start mark go first. */
  #beginSegment(at: number): void {
    this.#ids = new Map();
    this.#meta = new Map();
    this.#runs = new Map();
    this.#lines.unshift(HEADER, `U\t${at}`);
  }

  async #openSegment(at: number): Promise<void> {
    const names = new Set(await readdir(this.dir).catch(() => [] as string[]));
    let name = `${stamp(at)}${SUFFIX}`;
    for (let i = 1; names.has(name); i++) name = `${stamp(at)}-${i}${SUFFIX}`;
    this.#handle = await open(join(this.dir, name), 'a', 0o600);
    this.#size = 0;
    this.#segmentStartedAt = at;
  }

  /** Drops whole segments that ended before the retention horizon, then the oldest ones past the size bound. */
  async #prune(): Promise<void> {
    const segments = await listSegments(this.dir);
    const horizon = this.now() - this.retentionMs;
    let total = segments.reduce((s, x) => s + x.bytes, 0);
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const endedBy = (await lastTime(seg.path)) ?? segments[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY;
      if (endedBy < horizon || total > this.maxBytes) {
        await rm(seg.path, { force: true });
        total -= seg.bytes;
      }
    }
  }
}

interface SegmentFile {
  readonly path: string;
  readonly startedAt: number;
  readonly bytes: number;
}

async function listSegments(dir: string): Promise<SegmentFile[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(SUFFIX)).sort();
  const out: SegmentFile[] = [];
  for (const name of names) {
    const startedAt = parseStamp(name);
    if (startedAt === undefined) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) out.push({ path: join(dir, name), startedAt, bytes: info.size });
  }
  // `…123Z.calls` before `…123Z-1.calls` (started in the same millisecond, in that order).
  return out.sort((a, b) => a.startedAt - b.startedAt || a.path.length - b.path.length || (a.path < b.path ? -1 : 1));
}

/** The latest time a segment records (its stop mark, or its last call or start), read from its tail. */
async function lastTime(path: string): Promise<number | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    let latest: number | undefined;
    // The first line of the tail may be cut; it is skipped.
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      const t = f[0] === 'C' || f[0] === 'R' ? Number(f[2]) : f[0] === 'U' || f[0] === 'D' ? Number(f[1]) : Number.NaN;
      if (Number.isFinite(t)) latest = Math.max(latest ?? t, t);
    }
    return latest;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** `20261201T081500123Z`: sortable, and a file name on every system. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

function parseStamp(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(name);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
}

function clean(id: string): string {
  return id.replace(/[\t\n\r]/g, ' ');
}

/**
 * The recorded calls as a timeline for [from, to), with every span the recorder was not running named as a gap (the
 * platform's usage of that time is known to the daemon only as totals, not per call), and a retention gap when the
 * recording starts after `from`. Calls before `from` are kept: the replay's ledger starts from them.
 */
export async function readHistory(dir: string, from: number, to: number): Promise<Timeline> {
  const segments = await listSegments(dir);
  const gaps: Gap[] = [];
  const recorders = new Map<string, SessionRecorder>();
  const seen = new Map<string, Set<string>>();
  const meta = new Map<string, Partial<SessionMeta>>();
  const off = (since: number, until: number): void => {
    const a = Math.max(since, from);
    const b = Math.min(until, to);
    if (b > a) gaps.push({ kind: 'history', from: a, to: b, detail: `clawwarden was not recording calls from ${iso(a)} to ${iso(b)}: calls of that time are not in the history` });
  };
  let first: number | undefined;
  /** When recording last stopped (a clean stop, or the last line of a segment that ended without one). */
  let stoppedAt: number | undefined;
  let running = false;
  for (const seg of segments) {
    let text: string;
    try {
      text = await readFile(seg.path, 'utf8');
    } catch {
      continue;
    }
    // A torn last line (a crash mid-write) is not history.
    const end = text.lastIndexOf('\n');
    const lines = (end < 0 ? '' : text.slice(0, end)).split('\n');
    const ids = new Map<number, string>();
    let lastSeen = seg.startedAt;
    running = false;
    for (const line of lines) {
      const f = line.split('\t');
      // A line that is not whole (a write cut short, then appended to) is skipped, never read as numbers it is not.
      if (!wellFormed(f)) continue;
      switch (f[0]) {
        case 'U': {
          const at = Number(f[1]);
          if (first === undefined) first = at;
          else if (stoppedAt !== undefined && !running) off(stoppedAt, at);
          running = true;
          lastSeen = Math.max(lastSeen, at);
          break;
        }
        case 'D':
          stoppedAt = Number(f[1]);
          running = false;
          break;
        case 'S': {
          const [source, key, generation, agent] = JSON.parse(f[2] ?? '[]') as string[];
          const id = `${source}\u0000${key}\u0000${generation}`;
          ids.set(Number(f[1]), id);
          if (!recorders.has(id)) {
            recorders.set(id, new SessionRecorder({ source: source!, key: key!, generation: generation!, agent: agent!, main: /:main$/.test(key!) }));
            seen.set(id, new Set());
          }
          break;
        }
        case 'M': {
          const id = ids.get(Number(f[1]));
          if (id) meta.set(id, JSON.parse(f[2] ?? '{}') as Partial<SessionMeta>);
          break;
        }
        case 'R': {
          const id = ids.get(Number(f[1]));
          if (id) recorders.get(id)!.turn(Number(f[2]));
          break;
        }
        case 'C': {
          const id = ids.get(Number(f[1]));
          if (!id) break;
          const at = Number(f[2]);
          lastSeen = Math.max(lastSeen, at);
          if (at >= to) break;
          const callIds = seen.get(id)!;
          if (callIds.has(f[3]!)) break;
          callIds.add(f[3]!);
          recorders.get(id)!.call(at, { input: Number(f[4]), output: Number(f[5]), cacheRead: Number(f[6]), cacheWrite: Number(f[7]), cost: Number(f[8]) });
          break;
        }
      }
    }
    // A segment that ends without its stop mark: the daemon died (or, for the newest, is still recording).
    if (running) stoppedAt = lastSeen;
  }
  if (first === undefined) gaps.push({ kind: 'history', from, to, detail: `no recorded calls in ${dir}: the daemon records them once its call-history hook is on` });
  else {
    if (first > from) gaps.unshift({ kind: 'retention', from, to: Math.min(first, to), detail: `the recorded history starts at ${iso(first)}, later than asked (${iso(from)})` });
    if (!running && stoppedAt !== undefined) off(stoppedAt, to);
  }
  const sessions = [...recorders].map(([id, r]) => {
    const session = r.build();
    const m = meta.get(id);
    return m ? { ...session, ...m, main: m.main ?? session.main } : session;
  });
  sessions.sort((a, b) => (a.calls.at[0] ?? 0) - (b.calls.at[0] ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { origin: `state ${dir}`, from, to, sessions, gaps };
}

/** The line has its kind's fields, its numbers are numbers and its JSON parses. */
function wellFormed(f: readonly string[]): boolean {
  const numbers = (...i: number[]): boolean => i.every((k) => f[k] !== undefined && f[k] !== '' && Number.isFinite(Number(f[k])));
  const json = (text: string | undefined, array: boolean): boolean => {
    try {
      const v: unknown = JSON.parse(text ?? '');
      return array ? Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'string') : v !== null && typeof v === 'object' && !Array.isArray(v);
    } catch {
      return false;
    }
  };
  switch (f[0]) {
    case 'U':
    case 'D':
      return f.length === 2 && numbers(1);
    case 'S':
      return f.length === 3 && numbers(1) && json(f[2], true);
    case 'M':
      return f.length === 3 && numbers(1) && json(f[2], false);
    case 'R':
      return f.length === 3 && numbers(1, 2);
    case 'C':
      return f.length === 9 && numbers(1, 2, 4, 5, 6, 7, 8);
    default:
      return false;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
