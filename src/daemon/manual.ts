import { closest } from '../config/errors.js';
import type { ActionName } from '../domain/action.js';
import { traitsOf, type ManualAction } from '../actions/index.js';
import { cleanupCandidates } from '../domain/cleanup.js';
import type { Session } from '../domain/session.js';
import type { Enforcer } from '../enforcer/enforcer.js';
import type { ActionOutcomeRecord } from '../enforcer/hooks.js';
import type { ActionOutcome, WardenView } from '../http/view.js';
import type { Journal } from '../state/journal.js';
import type { StateStore } from '../state/store.js';
import type { LiveFleet } from './source-state.js';

/** A manual request as the API, CLI and console make it. */
export type ManualRequest = { readonly by: string; readonly dryRun: boolean; readonly force?: boolean };

export interface ManualDeps {
  readonly fleet: LiveFleet;
  readonly state: StateStore;
  readonly journal: Journal;
  readonly enforcer: Enforcer;
  readonly now: () => number;
}

/**
 * Manual actions (API, CLI, console): resolves each key to exactly one session, then hands the batch to the enforcer,
 * which plans it like a policy's (protection, main sessions, blast radius unless forced). Callers run it in the queue.
 */
export class ManualActions {
  constructor(private readonly deps: ManualDeps) {}

  /** One outcome per key, in the order given. */
  async act(action: ManualAction, keys: readonly string[], options: ManualRequest): Promise<ActionOutcome[]> {
    const outcomes = new Map<number, ActionOutcome>();
    const resolved: { index: number; session: Session }[] = [];
    for (const [index, key] of keys.entries()) {
      const found = await this.#resolve(action, key, options);
      if ('session' in found) resolved.push({ index, session: found.session });
      else outcomes.set(index, found.outcome);
    }
    const records = await this.deps.enforcer.manualBatch(
      action,
      resolved.map((r) => r.session),
      this.#batchOptions(options),
    );
    resolved.forEach(({ index }, i) => outcomes.set(index, outcomeOf(records[i]!)));
    return keys.map((_, i) => outcomes.get(i)!);
  }

  /** The one selection rule (domain); the enforcer then refuses protected ones and a batch past the blast radius unless forced. */
  async cleanup(options: Parameters<WardenView['cleanup']>[0]): Promise<ActionOutcome[]> {
    const targets = cleanupCandidates(this.deps.fleet.sessions(), options, this.deps.now());
    const records = await this.deps.enforcer.manualBatch('cleanup', targets, { ...this.#batchOptions(options), cleanup: options.mode });
    return records.map(outcomeOf);
  }

  /** The session a manual action is about, or its outcome when there is nothing to call (unknown key, a hold to release). */
  async #resolve(action: ActionName, key: string, options: ManualRequest): Promise<{ session: Session } | { outcome: ActionOutcome }> {
    const { fleet, state } = this.deps;
    const matches = fleet.find(key);
    if (matches.length === 0) {
      const hold = [...state.holds.values()].find((h) => h.key === key);
      // Releasing a hold needs no session: the key may be gone from the platform.
      if (traitsOf(action).hold === 'releases' && hold) return { outcome: await this.#releaseOnly(hold.source, key, options) };
      return {
        outcome: {
          key,
          action,
          status: 'unknown-key',
          detail: unknownKeyHint(
            key,
            fleet.sessions({ includeUnsynced: true }).map((s) => s.key),
          ),
        },
      };
    }
    if (matches.length > 1) {
      return { outcome: { key, action, status: 'refused', detail: `key ${key} exists in several sources (${matches.map((m) => m.source).join(', ')}); refusing to guess` } };
    }
    const session = matches[0] as Session;
    const hold = state.hold(session.source, session.key);
    if (traitsOf(action).hold === 'releases' && hold?.kind === 'hold') return { outcome: await this.#releaseOnly(session.source, key, options) };
    return { session };
  }

  #batchOptions(options: ManualRequest): { by: string; dryRun: boolean; force: boolean; sessionsInScope: number } {
    return { by: options.by, dryRun: options.dryRun, force: options.force ?? false, sessionsInScope: this.deps.fleet.sessions().length };
  }

  /** Resume of a hold clawwarden placed on a main session: nothing to call on the platform, just release it. */
  async #releaseOnly(source: string, key: string, options: { by: string; dryRun: boolean }): Promise<ActionOutcome> {
    if (options.dryRun) return { key, source, action: 'resume', status: 'would', detail: `would release the hold on ${key}` };
    const hold = this.deps.state.releaseHold(source, key);
    await this.deps.state.commit();
    await this.deps.journal.append({ type: 'release', source, session: key, by: options.by, reason: `hold released by ${options.by}`, ...(hold ? { detail: `was: ${hold.reason}` } : {}) });
    return { key, source, action: 'resume', status: 'done', detail: `hold on ${key} released` };
  }
}

function outcomeOf(record: ActionOutcomeRecord): ActionOutcome {
  // Manual actions carry no notice, so they are never marked; were one, it is reported as not done yet.
  return { key: record.target.key, source: record.target.source, action: record.action, status: record.status === 'marked' ? 'would' : record.status, detail: record.detail };
}

/** `unknown session "agent:main:lop"; did you mean "agent:main:loop"?` */
export function unknownKeyHint(key: string, known: readonly string[]): string {
  const best = closest(key, known);
  return `unknown session "${key}"${best !== undefined ? `; did you mean "${best}"?` : '; run "clawwarden sessions list" to see the keys'}`;
}
