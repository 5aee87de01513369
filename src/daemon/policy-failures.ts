import type { Logger } from 'pino';
import type { PolicyError } from '../engine/types.js';
import type { Journal } from '../state/journal.js';
import type { DaemonOutputs } from './outputs.js';

export interface PolicyFailureDeps {
  readonly log: Logger;
  readonly journal: Journal;
  readonly outputs: () => DaemonOutputs;
}

/**
 * Failure containment, per policy: a policy that throws is skipped for that evaluation (the engine goes on with the
 * others); here every failure is counted, and each run of failures is logged, journaled and notified once — and said
 * to be over when a whole evaluation no longer reports it.
 */
export class PolicyFailures {
  /** Policies failing right now, with the time they started failing. */
  readonly #failing = new Map<string, number>();

  constructor(private readonly deps: PolicyFailureDeps) {}

  /** `whole`: the evaluation covered every policy and session, so a policy absent from `errors` has recovered. */
  async report(errors: readonly PolicyError[], whole: boolean, now: number): Promise<void> {
    const seen = new Set<string>();
    for (const error of errors) {
      if (seen.has(error.policy)) continue;
      seen.add(error.policy);
      const first = !this.#failing.has(error.policy);
      if (first) this.#failing.set(error.policy, now);
      this.deps.outputs().policyFailed?.(error, first, this.#failing.get(error.policy) ?? now);
      if (!first) continue;
      const reason = `policy ${error.policy} failed while evaluating ${error.subject} and was skipped (the other policies went on): ${error.message}`;
      this.deps.log.error({ policy: error.policy, subject: error.subject, err: error.message }, reason);
      await this.deps.journal.append({ type: 'refusal', policy: error.policy, reason });
    }
    if (!whole) return;
    for (const [policy] of this.#failing) {
      if (seen.has(policy)) continue;
      this.#failing.delete(policy);
      const reason = `policy ${policy} evaluates again`;
      this.deps.log.info({ policy }, reason);
      await this.deps.journal.append({ type: 'config', policy, reason });
    }
  }
}
