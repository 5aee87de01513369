/**
 * The event-driven trigger: usage and session events mark their agent dirty, and each dirty agent is evaluated once
 * per queue turn — a burst of events on one agent costs one evaluation, timed from the earliest event for latency.
 */
export class DirtyAgents {
  readonly #dirty = new Map<string, number>();
  #flushScheduled = false;

  constructor(
    private readonly enqueue: (job: () => Promise<void>) => void,
    private readonly evaluate: (source: string, agent: string, eventAt: number) => Promise<void>,
  ) {}

  mark(source: string, agent: string, at: number): void {
    const id = `${source}\u0000${agent}`;
    if (!this.#dirty.has(id)) this.#dirty.set(id, at);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.enqueue(async () => {
      this.#flushScheduled = false;
      const dirty = [...this.#dirty];
      this.#dirty.clear();
      for (const [id, eventAt] of dirty) {
        const [source, agent] = id.split('\u0000') as [string, string];
        await this.evaluate(source, agent, eventAt);
      }
    });
  }
}
