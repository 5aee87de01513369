import type { JournalEntry } from '../state/journal-types.js';
import type { StopMark } from './verdicts.js';

/** A `stopped` verdict matters only while the run it ended could still be going. */
const KEEP_MS = 10 * 60_000;

/**
 * The runs that must end, read from the journal as the enforcer writes it: a decision to stop, kill or pause (written
 * before the gateway is called, so guards hear of it first) and a manual stop. Keyed by source and session.
 */
export class StopMarks {
  readonly #marks = new Map<string, StopMark>();

  get(source: string, key: string): StopMark | undefined {
    return this.#marks.get(`${source}\u0000${key}`);
  }

  /**
   * Takes one journal entry; returns the sessions whose verdict it may change (decisions and actions on `guarded`
   * sources; guard entries are the guard's own and change nothing).
   */
  note(e: JournalEntry, guarded: (source: string) => boolean, generationOf: (source: string, key: string) => string | undefined): { source: string; key: string }[] {
    if (e.type === 'decision') {
      if (e.mode !== 'enforce' || !e.plan || (e.kind !== 'violation' && e.kind !== 'escalation')) return [];
      if (!e.plan.actions.some((a) => a.action === 'stop' || a.action === 'kill' || a.action === 'pause')) return [];
      const at = Date.parse(e.time);
      const reason = e.reason.replace(/^resumed after a restart: /, '').replace(`${e.plan.subject}: `, '');
      const touched = e.plan.targets.filter((t) => guarded(t.source));
      for (const t of touched) this.#marks.set(`${t.source}\u0000${t.key}`, { at, generation: t.generation, reason, ...(e.policy ? { policy: e.policy } : {}), by: 'policy' });
      return touched.map((t) => ({ source: t.source, key: t.key }));
    }
    if (!e.source || !e.session || !guarded(e.source) || e.by === 'guard') return [];
    if (e.type === 'action' && e.action === 'stop' && e.result === 'done' && e.by !== 'policy') {
      const generation = e.generation ?? generationOf(e.source, e.session) ?? '';
      const reason = e.reason.startsWith('session is held') ? e.reason : `stopped by ${e.by ?? 'an operator'}`;
      this.#marks.set(`${e.source}\u0000${e.session}`, { at: Date.parse(e.time), generation, reason, by: e.by ?? 'api' });
    }
    return e.type === 'action' || e.type === 'release' || e.type === 'hold' ? [{ source: e.source, key: e.session }] : [];
  }

  /** Forgets marks older than KEEP_MS. */
  prune(now: number): void {
    for (const [key, mark] of this.#marks) if (now - mark.at > KEEP_MS) this.#marks.delete(key);
  }
}
