import type { Session, Usage, UsageBaseline, UsageRecord } from '../../domain/session.js';

/** A `sessions.list` row (or the `session` inside an event) as OpenClaw 2026.9.6 sends it; only what clawwarden reads. */
export interface OpenClawRow {
  key?: unknown;
  agentId?: unknown;
  sessionId?: unknown;
  kind?: unknown;
  isMain?: unknown;
  archived?: unknown;
  status?: unknown;
  hasActiveRun?: unknown;
  createdAt?: unknown;
  lastActivityAt?: unknown;
  lastInteractionAt?: unknown;
  updatedAt?: unknown;
  startedAt?: unknown;
  model?: unknown;
  modelProvider?: unknown;
  channel?: unknown;
  /** The session that spawned this one (sub-agents). Not `parentSessionKey`: that is only a navigation parent. */
  spawnedBy?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const nonNegative = (v: unknown): number | undefined => {
  const n = num(v);
  return n !== undefined && n >= 0 ? n : undefined;
};

/** `agent:<agentId>:<name>` → agentId, for rows or events that omit `agentId`. */
export function agentOfKey(key: string): string | undefined {
  const m = /^agent:([^:]+):/.exec(key);
  return m?.[1];
}

/** Normalises one row; undefined when it lacks a key or a sessionId (a row clawwarden could not act on safely). */
export function sessionFromRow(source: string, row: OpenClawRow): Session | undefined {
  const key = str(row.key);
  const generation = str(row.sessionId);
  if (!key || !generation) return undefined;
  const agent = str(row.agentId) ?? agentOfKey(key) ?? 'unknown';
  // `hasActiveRun` is absent from sessions.describe rows; `status: running` is the fallback there.
  const active = typeof row.hasActiveRun === 'boolean' ? row.hasActiveRun : row.status === 'running';
  // OpenClaw's own activity time: the later of the last completed run and the last input, else updatedAt.
  const ran = num(row.lastActivityAt);
  const input = num(row.lastInteractionAt);
  const lastActivityAt = ran !== undefined || input !== undefined ? Math.max(ran ?? 0, input ?? 0) : num(row.updatedAt);
  const runStartedAt = active ? num(row.startedAt) : undefined;
  // OpenClaw moves lastInteractionAt only for a person's message: heartbeat, cron and internal-event turns leave it
  // (gateway 2026.9.6: touchInteraction is off for them; its idle expiry reads the same field). Absent = unknown.
  const lastHumanAt = input;
  const session: Session = {
    source,
    key,
    generation,
    agent,
    main: row.isMain === true || /^agent:[^:]+:main$/.test(key),
    archived: row.archived === true,
    active,
    ...(str(row.model) !== undefined && { model: str(row.model) }),
    ...(str(row.modelProvider) !== undefined && { provider: str(row.modelProvider) }),
    ...(str(row.channel) !== undefined && { channel: str(row.channel) }),
    ...(str(row.kind) !== undefined && { kind: str(row.kind) }),
    ...(num(row.createdAt) !== undefined && { startedAt: num(row.createdAt) }),
    ...(lastActivityAt !== undefined && { lastActivityAt }),
    ...(lastHumanAt !== undefined && { lastHumanAt }),
    ...(runStartedAt !== undefined && { runStartedAt }),
    ...(str(row.status) !== undefined && { status: str(row.status) }),
    ...(str(row.spawnedBy) !== undefined && str(row.spawnedBy) !== key && { parent: str(row.spawnedBy) }),
  };
  return session;
}

interface RawUsageTotals {
  input?: unknown;
  output?: unknown;
  cacheRead?: unknown;
  cacheWrite?: unknown;
  totalCost?: unknown;
  lastActivity?: unknown;
  dailyBreakdown?: unknown;
}

/** One entry of `sessions.usage`'s `sessions` array. */
export interface OpenClawUsageEntry {
  key?: unknown;
  sessionId?: unknown;
  agentId?: unknown;
  usage?: RawUsageTotals | null;
}

function usageOf(raw: RawUsageTotals): Usage | undefined {
  const input = nonNegative(raw.input);
  const output = nonNegative(raw.output);
  if (input === undefined || output === undefined) return undefined;
  return { input, output, cacheRead: nonNegative(raw.cacheRead) ?? 0, cacheWrite: nonNegative(raw.cacheWrite) ?? 0, cost: nonNegative(raw.totalCost) ?? 0 };
}

/** Normalises one `sessions.usage` entry; undefined while OpenClaw has no totals for it yet (`usage: null`). */
export function baselineFromUsage(source: string, entry: OpenClawUsageEntry): UsageBaseline | undefined {
  const key = str(entry.key);
  const generation = str(entry.sessionId);
  if (!key || !generation || !entry.usage) return undefined;
  const totals = usageOf(entry.usage);
  if (!totals) return undefined;
  const daily = Array.isArray(entry.usage.dailyBreakdown)
    ? (entry.usage.dailyBreakdown as (RawUsageTotals & { date?: unknown })[]).flatMap((d) => {
        const u = usageOf(d);
        const date = str(d.date);
        return u && date ? [{ ...u, date }] : [];
      })
    : undefined;
  const lastActivityAt = num(entry.usage.lastActivity);
  return {
    source,
    key,
    generation,
    agent: str(entry.agentId) ?? agentOfKey(key) ?? 'unknown',
    ...totals,
    ...(daily !== undefined && { daily }),
    ...(lastActivityAt !== undefined && { lastActivityAt }),
  };
}

/** The `session.message` event payload (protocol v4). */
export interface SessionMessagePayload {
  sessionKey?: unknown;
  agentId?: unknown;
  sessionId?: unknown;
  messageSeq?: unknown;
  message?: {
    role?: unknown;
    timestamp?: unknown;
    usage?: { input?: unknown; output?: unknown; cacheRead?: unknown; cacheWrite?: unknown; cost?: { total?: unknown } } | null;
  } | null;
  session?: OpenClawRow | null;
}

/**
 * A model call's usage from a `session.message` event; undefined for user/tool messages and for records too
 * malformed to count (no key, no sequence, negative or missing token counts).
 */
export function recordFromMessage(source: string, payload: SessionMessagePayload, now: number): UsageRecord | undefined {
  const key = str(payload.sessionKey);
  const message = payload.message;
  if (!key || !message || message.role !== 'assistant' || !message.usage) return undefined;
  const seq = num(payload.messageSeq);
  if (seq === undefined || !Number.isInteger(seq) || seq < 0) return undefined;
  const generation = str(payload.sessionId) ?? str(payload.session?.sessionId);
  if (!generation) return undefined;
  const input = nonNegative(message.usage.input);
  const output = nonNegative(message.usage.output);
  if (input === undefined || output === undefined) return undefined;
  const cacheRead = message.usage.cacheRead === undefined ? 0 : nonNegative(message.usage.cacheRead);
  const cacheWrite = message.usage.cacheWrite === undefined ? 0 : nonNegative(message.usage.cacheWrite);
  const cost = message.usage.cost?.total === undefined ? 0 : nonNegative(message.usage.cost.total);
  if (cacheRead === undefined || cacheWrite === undefined || cost === undefined) return undefined;
  return {
    source,
    key,
    generation,
    agent: str(payload.agentId) ?? agentOfKey(key) ?? 'unknown',
    id: String(seq),
    at: num(message.timestamp) ?? now,
    input,
    output,
    cacheRead,
    cacheWrite,
    cost,
  };
}
