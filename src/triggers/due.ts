import type { Policy } from '../policy/types.js';
import type { Episode } from '../domain/decision.js';

/**
 * The earliest time a recorded escalation step falls due: for each open episode, the policy's next step after the one
 * done, unless the episode's cooldown ends first. Infinity when nothing is due.
 */
export function nextEscalationDue(policies: readonly Policy[], episodes: Iterable<readonly [string, Episode]>): number {
  const byName = new Map(policies.map((p) => [p.name, p]));
  let next = Number.POSITIVE_INFINITY;
  for (const [stateKey, episode] of episodes) {
    const policy = byName.get(stateKey.slice(0, stateKey.indexOf('|')));
    const step = policy?.escalate[episode.stepDone];
    if (!step) continue;
    const cooldownUntil = episode.cooldownUntil ?? (policy.cooldown !== undefined ? episode.firedAt + policy.cooldown : undefined);
    const due = episode.firedAt + step.after;
    if (cooldownUntil !== undefined && cooldownUntil <= due) continue;
    if (due < next) next = due;
  }
  return next;
}

/**
 * One timer for the earliest due time: re-arming with the same time keeps the timer, a time already past arms nothing
 * (the evaluation that asked has just handled it, and the sweeps re-check).
 */
export class DueTimer {
  #timer?: NodeJS.Timeout;
  #due?: number;

  constructor(private readonly fire: () => void) {}

  arm(due: number, now: number): void {
    if (due === this.#due) return;
    this.cancel();
    this.#due = due;
    if (!Number.isFinite(due) || due <= now) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#due = undefined;
        this.fire();
      },
      Math.min(due - now + 5, 2 ** 31 - 1),
    );
    this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = undefined;
  }
}
