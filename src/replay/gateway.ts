import { reveal } from '../domain/secret.js';
import { formatCount } from '../domain/units.js';
import { discoverGateway } from '../sources/openclaw/discover.js';
import { GatewayLink } from '../sources/openclaw/link.js';
import type { OpenClawOptions } from '../sources/openclaw/options.js';
import { sessionFromRow, type OpenClawRow } from '../sources/openclaw/normalise.js';
import { callTokens, SessionRecorder, type Gap, type Timeline, type TimelineSession } from './timeline.js';
import { totalTokens } from '../domain/session.js';

/** About how long OpenClaw keeps transcripts, per its documentation. */
export const GATEWAY_KEEPS_MS = 30 * 24 * 3600_000;
const PAGE = 1000;

interface UsageEntry {
  key?: unknown;
  sessionId?: unknown;
  agentId?: unknown;
  includedSessionIds?: unknown;
  usage?: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; totalCost?: number; missingCostEntries?: number; messageCounts?: { assistant?: number } } | null;
}

interface HistoryMessage {
  role?: unknown;
  timestamp?: unknown;
  provider?: unknown;
  model?: unknown;
  usage?: { input?: unknown; output?: unknown; cacheRead?: unknown; cacheWrite?: unknown; cost?: unknown }; // cost: a number, or { total } (newer gateways)
  __openclaw?: { id?: unknown; runId?: unknown; kind?: unknown; seq?: unknown };
}

/** Reads from a gateway; the replay only ever reads (the connection asks the scopes clawwarden always asks). */
export interface GatewayRead {
  request<T>(method: string, params: object): Promise<T>;
  close(): Promise<void>;
}

/** Connects to the gateway of an `openclaw` source, waiting until it is up (or failing with the gateway's reason). */
export async function connectGateway(options: OpenClawOptions, timeoutMs = 30_000): Promise<GatewayRead & { readonly url: string }> {
  let url = options.url ?? 'ws://127.0.0.1:18789';
  let token = reveal(options.token);
  if (options.discover) {
    const found = await discoverGateway();
    if (options.url === undefined) url = found.url;
    token ??= found.token?.reveal();
  }
  let up!: () => void;
  let down!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    up = resolve;
    down = reject;
  });
  const link = new GatewayLink({
    url,
    token,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    reconnect: { minMs: 500, maxMs: 5_000 },
    onEvent: () => undefined,
    onUp: () => up(),
    onDown: (error) => down(error),
    log: { warn: () => undefined, debug: () => undefined },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await link.start();
    await Promise.race([
      ready,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the OpenClaw gateway at ${url} did not answer within ${timeoutMs / 1000}s`)), timeoutMs))),
    ]);
  } catch (error) {
    await link.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { url, request: (m, p) => link.request(m, p), close: () => link.close() };
}

/**
 * The gateway's own history as a timeline: every session (`sessions.list`, archived ones too, and any `sessions.usage`
 * still knows), each session's transcript paged through `chat.history` (every assistant message carries its usage, time
 * and run id; user messages start runs; earlier generations of a reset session are read by their session id), checked
 * against `sessions.usage`'s totals. What cannot be read is named as a gap.
 */
export async function readGatewayHistory(gateway: GatewayRead & { readonly url: string }, options: { source: string; from: number; to: number; now: number }): Promise<Timeline> {
  const { source, from, to, now } = options;
  const gaps: Gap[] = [];
  const rows = await listSessions(gateway);
  const usage = await usageByKey(gateway);
  const keys = [...new Set([...rows.keys(), ...usage.keys()])].sort();
  const sessions: TimelineSession[] = [];
  let earliest = Number.POSITIVE_INFINITY;
  for (const key of keys) {
    const row = rows.get(key);
    const entry = usage.get(key);
    const base = row ? sessionFromRow(source, row) : undefined;
    const agent = base?.agent ?? (typeof entry?.agentId === 'string' ? entry.agentId : (/^agent:([^:]+):/.exec(key)?.[1] ?? 'unknown'));
    const current = base?.generation ?? (typeof entry?.sessionId === 'string' ? entry.sessionId : undefined);
    const generations = [
      ...new Set([...(Array.isArray(entry?.includedSessionIds) ? (entry.includedSessionIds as unknown[]).filter((x): x is string => typeof x === 'string') : []), ...(current ? [current] : [])]),
    ];
    let sum = 0;
    for (const generation of generations) {
      const recorder = new SessionRecorder({
        source,
        key,
        generation,
        agent,
        main: base?.main ?? /^agent:[^:]+:main$/.test(key),
        ...(generation === current && base?.startedAt !== undefined ? { createdAt: base.startedAt } : {}),
        ...(base?.model !== undefined ? { model: base.model } : {}),
        ...(base?.provider !== undefined ? { provider: base.provider } : {}),
        ...(base?.channel !== undefined ? { channel: base.channel } : {}),
        ...(base?.kind !== undefined ? { kind: base.kind } : {}),
      });
      const read = await readTranscript(gateway, key, generation === current ? undefined : generation, recorder);
      if (!read.ok) {
        gaps.push({
          kind: generation === current ? 'history' : 'reset',
          session: key,
          detail:
            generation === current
              ? `the transcript of ${key} could not be read (${read.error}); its calls are not replayed`
              : `${key} was reset: the calls of its earlier generation ${generation.slice(0, 8)} could not be read (${read.error}) and are not replayed`,
        });
        continue;
      }
      if (read.resets > 0 && generation === current)
        gaps.push({ kind: 'reset', session: key, detail: `${key} was reset ${read.resets} time(s) within its transcript; calls before a reset belong to an earlier generation` });
      if (recorder.size === 0 && generation !== current) continue;
      const built = recorder.build();
      if (built.calls.length > 0) earliest = Math.min(earliest, built.calls.at[0]!);
      for (let i = 0; i < built.calls.length; i++) sum += callTokens(built.calls, i);
      sessions.push(built);
    }
    const u = entry?.usage;
    if (u) {
      const reported = totalTokens({ input: u.input ?? 0, output: u.output ?? 0, cacheRead: u.cacheRead ?? 0, cacheWrite: u.cacheWrite ?? 0 });
      if (reported > sum * 1.005 + 1)
        gaps.push({
          kind: 'mismatch',
          session: key,
          detail: `the transcript of ${key} holds ${formatCount(sum)} tokens, the gateway's totals say ${formatCount(reported)}: ${formatCount(reported - sum)} tokens are not in the history replayed`,
        });
      if ((u.missingCostEntries ?? 0) > 0)
        gaps.push({ kind: 'unpriced', session: key, detail: `${u.missingCostEntries} call(s) of ${key} have no price (their model has no cost configured in OpenClaw): counted as $0` });
    }
  }
  const kept = now - GATEWAY_KEEPS_MS;
  if (from < kept && from < earliest) {
    const until = Math.min(to, Number.isFinite(earliest) ? Math.max(earliest, kept) : kept);
    gaps.unshift({
      kind: 'retention',
      from,
      to: until,
      detail: `OpenClaw keeps about 30 days of transcripts; the gateway's history starts ${Number.isFinite(earliest) ? `at ${new Date(earliest).toISOString()}` : 'within the last 30 days'}, later than asked (${new Date(from).toISOString()})`,
    });
  }
  sessions.sort((a, b) => (a.calls.at[0] ?? a.createdAt ?? 0) - (b.calls.at[0] ?? b.createdAt ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.generation < b.generation ? -1 : 1));
  return { origin: `gateway ${gateway.url}`, from, to, sessions, gaps };
}

async function listSessions(gateway: GatewayRead): Promise<Map<string, OpenClawRow>> {
  const rows = new Map<string, OpenClawRow>();
  let offset = 0;
  for (let page = 0; page < 10_000; page++) {
    const reply = await gateway.request<{ sessions?: OpenClawRow[]; hasMore?: unknown; nextOffset?: unknown }>('sessions.list', { limit: 200, offset, archived: 'all' });
    const list = Array.isArray(reply.sessions) ? reply.sessions : [];
    for (const row of list) if (typeof row.key === 'string') rows.set(row.key, row);
    const next = typeof reply.nextOffset === 'number' ? reply.nextOffset : offset + list.length;
    if (reply.hasMore !== true || list.length === 0 || next <= offset) break;
    offset = next;
  }
  return rows;
}

/** `sessions.usage` per key (generations grouped), waiting a while for the gateway's usage cache to fill. */
async function usageByKey(gateway: GatewayRead): Promise<Map<string, UsageEntry>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await gateway.request<{ sessions?: UsageEntry[]; cacheStatus?: { status?: unknown; pendingFiles?: unknown } | null }>('sessions.usage', {
      agentScope: 'all',
      range: 'all',
      mode: 'utc',
      groupBy: 'family',
    });
    const entries = Array.isArray(reply.sessions) ? reply.sessions : [];
    const cache = reply.cacheStatus;
    const fresh = cache ? cache.status === 'fresh' && !(typeof cache.pendingFiles === 'number' && cache.pendingFiles > 0) : !entries.some((e) => e.usage === null);
    if (fresh || Date.now() >= deadline) return new Map(entries.filter((e) => typeof e.key === 'string').map((e) => [e.key as string, e]));
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pages one transcript from its newest message back; assistant messages with usage are calls, user messages start runs. */
async function readTranscript(gateway: GatewayRead, key: string, sessionId: string | undefined, into: SessionRecorder): Promise<{ ok: true; resets: number } | { ok: false; error: string }> {
  const seen = new Set<string>();
  let offset: number | undefined;
  let resets = 0;
  for (let page = 0; page < 100_000; page++) {
    let reply: { messages?: HistoryMessage[]; hasMore?: unknown; nextOffset?: unknown };
    try {
      reply = await gateway.request('chat.history', { sessionKey: key, limit: PAGE, maxChars: 1, ...(sessionId ? { sessionId } : {}), ...(offset !== undefined ? { offset } : {}) });
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
    const messages = Array.isArray(reply.messages) ? reply.messages : [];
    for (const m of messages) {
      const meta = m.__openclaw ?? {};
      const at = typeof m.timestamp === 'number' ? m.timestamp : undefined;
      if (meta.kind === 'reset') resets++;
      if (at === undefined) continue;
      if (m.role === 'user') {
        into.turn(at);
        continue;
      }
      if (m.role !== 'assistant' || !m.usage) continue;
      const id = typeof meta.id === 'string' ? meta.id : `${at}:${String(meta.seq)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const u = m.usage;
      const cost = typeof u.cost === 'object' && u.cost !== null ? (u.cost as { total?: unknown }).total : u.cost;
      into.call(
        at,
        { input: num(u.input), output: num(u.output), cacheRead: num(u.cacheRead), cacheWrite: num(u.cacheWrite), cost: num(cost) },
        typeof meta.runId === 'string' ? meta.runId : undefined,
      );
    }
    const next = typeof reply.nextOffset === 'number' ? reply.nextOffset : undefined;
    if (reply.hasMore !== true || next === undefined || (offset !== undefined && next <= offset) || messages.length === 0) break;
    offset = next;
  }
  return { ok: true, resets };
}

function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0;
}
