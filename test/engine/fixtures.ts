import { Ledger } from '../../src/ledger/index.js';
import type { EngineState, Episode, Hold } from '../../src/engine/types.js';
import type { Session, Usage } from '../../src/sources/source.js';

export const NOW = Date.parse('2026-03-10T12:00:00Z');
export const MIN = 60_000;
export const H = 60 * MIN;

/** A session of agent `a` on source `home`. */
export function session(key: string, over: Partial<Session> = {}): Session {
  return { source: 'home', key, generation: 'g1', agent: 'a', main: false, archived: false, active: false, startedAt: NOW - 2 * H, lastActivityAt: NOW - MIN, ...over };
}

let seq = 0;
/** Records one call on a real ledger. */
export function spend(ledger: Ledger, s: Pick<Session, 'source' | 'key' | 'generation' | 'agent'>, at: number, u: Partial<Usage>): void {
  seq++;
  ledger.ingest({ source: s.source, key: s.key, generation: s.generation, agent: s.agent, id: String(seq), at, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, ...u });
}

/** Engine state from plain lists. */
export function state(over: { episodes?: Record<string, Episode>; warned?: string[]; holds?: Hold[] } = {}): EngineState {
  return {
    episodes: new Map(Object.entries(over.episodes ?? {})),
    warned: new Set(over.warned ?? []),
    holds: new Map((over.holds ?? []).map((h) => [`${h.source}\u0000${h.key}`, h])),
  };
}
