import type { DecisionKind, Measurement, Mode } from '../engine/types.js';
import type { ActionStatus } from '../sources/source.js';

/** One line of the audit journal (append-only JSON lines). */
export interface JournalEntry {
  /** Monotonic sequence within the state dir; survives restarts and rotation. */
  readonly seq: number;
  /** ISO timestamp. */
  readonly time: string;
  /** `decision` (engine concluded), `action` (a call and its result), `hold`, `release`, `refusal` (blast radius / fail-safe), `config`, `source`. */
  readonly type: 'decision' | 'action' | 'hold' | 'release' | 'refusal' | 'config' | 'source';
  readonly decision?: string;
  readonly policy?: string;
  readonly kind?: DecisionKind;
  readonly source?: string;
  readonly session?: string;
  readonly generation?: string;
  readonly agent?: string;
  readonly action?: string;
  readonly result?: ActionStatus | 'would';
  readonly mode?: Mode;
  /** `policy`, `api`, `cli`. */
  readonly by?: string;
  readonly reason: string;
  readonly detail?: string;
  readonly measurements?: readonly Measurement[];
}
