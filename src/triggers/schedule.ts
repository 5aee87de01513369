import { schedule, type ScheduledTask } from 'node-cron';

/**
 * Runs jobs one at a time, in order. Sweeps, event evaluations, manual actions and reloads all go through it, so
 * the engine and enforcer never see a half-applied change and a slow sweep delays the next instead of overlapping.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  run<T>(job: () => T | Promise<T>): Promise<T> {
    this.#pending++;
    const next = this.#tail.then(job).finally(() => {
      this.#pending--;
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}

/** A cron-driven sweep that never runs twice at once: a tick that finds the previous sweep still running is skipped. */
export class SweepSchedule {
  #task?: ScheduledTask;
  #running = false;

  constructor(private readonly sweep: () => Promise<void>) {}

  start(expression: string): void {
    this.stop();
    this.#task = schedule(expression, () => this.#tick(), { noOverlap: true });
  }

  stop(): void {
    void this.#task?.stop();
    void this.#task?.destroy();
    this.#task = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await this.sweep();
    } finally {
      this.#running = false;
    }
  }
}
