import type { Session, UsageBaseline } from '../domain/session.js';
import type { ActionName, ActionRequest, ActionResult } from '../domain/action.js';
import type { Source, SourceEvent } from './source.js';

/**
 * A source whose implementation (and its dependencies) is loaded on `start()`: a daemon that never starts a
 * source of that type never pays for its client library. Listeners subscribed before `start` are carried over.
 */
export class DeferredSource implements Source {
  #inner?: Source;
  #loading?: Promise<Source>;
  readonly #listeners = new Set<(event: SourceEvent) => void>();
  readonly #detach = new Map<(event: SourceEvent) => void, () => void>();

  constructor(
    readonly name: string,
    readonly type: string,
    readonly capabilities: ReadonlySet<ActionName>,
    private readonly load: () => Promise<Source>,
  ) {}

  async start(): Promise<void> {
    this.#loading ??= this.load().then((inner) => {
      this.#inner = inner;
      for (const listener of this.#listeners) this.#detach.set(listener, inner.subscribe(listener));
      return inner;
    });
    await (await this.#loading).start();
  }

  async close(): Promise<void> {
    await this.#inner?.close();
  }

  isUp(): boolean {
    return this.#inner?.isUp() ?? false;
  }

  async inventory(): Promise<Session[]> {
    return this.#started().inventory();
  }

  async usage(keys?: readonly string[]): Promise<UsageBaseline[]> {
    return this.#started().usage(keys);
  }

  subscribe(listener: (event: SourceEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#inner) this.#detach.set(listener, this.#inner.subscribe(listener));
    return () => {
      this.#listeners.delete(listener);
      this.#detach.get(listener)?.();
      this.#detach.delete(listener);
    };
  }

  async perform(request: ActionRequest): Promise<ActionResult> {
    if (!this.#inner) return { status: 'failed', detail: `source "${this.name}" is not started` };
    return this.#inner.perform(request);
  }

  #started(): Source {
    if (!this.#inner) throw new Error(`source "${this.name}" is not started`);
    return this.#inner;
  }
}
