import type { CapMetric, WireUsage } from './protocol.js';

/** A zero usage. */
export function zeroUsage(): { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number } {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };
}

/** The value of `metric` for a usage, as the policy condition of that name measures it. */
export function metricOf(metric: CapMetric, u: WireUsage): number {
  switch (metric) {
    case 'tokens.total':
      return u.input + u.output + u.cacheRead + u.cacheWrite;
    case 'tokens.input':
      return u.input;
    case 'tokens.output':
      return u.output;
    case 'tokens.cache':
      return u.cacheRead + u.cacheWrite;
    case 'cost':
      return u.cost;
  }
}

/** Adds `b` into `a`. */
export function addInto(a: { input: number; output: number; cacheRead: number; cacheWrite: number; cost: number }, b: WireUsage): void {
  a.input += b.input;
  a.output += b.output;
  a.cacheRead += b.cacheRead;
  a.cacheWrite += b.cacheWrite;
  a.cost += b.cost;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Usage from an OpenClaw assistant message or an `llm_output` event (`{ input, output, cacheRead, cacheWrite,
 * cost: { total } }`); undefined when it carries none.
 */
export function usageFrom(raw: unknown): WireUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const u = raw as { input?: unknown; output?: unknown; cacheRead?: unknown; cacheWrite?: unknown; cost?: unknown };
  if (u.input === undefined && u.output === undefined) return undefined;
  const cost = u.cost !== null && typeof u.cost === 'object' ? count((u.cost as { total?: unknown }).total) : count(u.cost);
  return { input: count(u.input), output: count(u.output), cacheRead: count(u.cacheRead), cacheWrite: count(u.cacheWrite), cost };
}
