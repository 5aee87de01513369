import type { ActionName } from '../../src/sources/source.js';
import type { ActionOutcome, ReadinessReport, SessionFilter, SessionView, WardenUpdate, WardenView } from '../../src/http/view.js';
import type { JournalEntry } from '../../src/state/journal-types.js';
import type { Mode } from '../../src/engine/types.js';

type Act = Exclude<ActionName, 'cleanup' | 'compact'>;

/** A session view with sensible defaults, for tests of the HTTP layer only. */
export function sessionView(key: string, over: Partial<SessionView> & { agent?: string; active?: boolean } = {}): SessionView {
  const agent = over.agent ?? key.split(':')[1] ?? 'main';
  return {
    session: {
      source: 'demo',
      key,
      generation: `${key}#1`,
      agent,
      model: 'gpt-test',
      main: key.endsWith(':main'),
      archived: false,
      active: over.active ?? true,
      startedAt: 1_000,
      lastActivityAt: 2_000,
    },
    state: over.active === false ? 'idle' : 'running',
    usage: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0, cost: 0.12, total: 1200, calls: 3, known: true },
    idleMs: 5_000,
    ageMs: 60_000,
    budgets: [{ policy: 'session-token-cap', scope: 'session', subject: `session ${key}`, ratio: 0.5, warnAt: 0.8 }],
    can: ['stop', 'kill', 'pause', 'resume'],
    protected: false,
    ...over,
  };
}

/** A hand-driven WardenView that records what the HTTP layer asked of it. */
export class FixtureView implements WardenView {
  readonly calls: { method: string; args: unknown[] }[] = [];
  readonly listeners = new Set<(u: WardenUpdate) => void>();
  ready: ReadinessReport = { ready: true, configLoaded: true, demo: true, sources: [{ name: 'demo', up: true, synced: true }] };
  list: SessionView[] = [sessionView('agent:main:main'), sessionView('agent:backend:job/1', { agent: 'backend', active: false })];
  entries: JournalEntry[] = [];
  outcome: (action: Act, key: string) => ActionOutcome = (action, key) => ({ key, action, source: 'demo', status: 'done', detail: `${action} done` });
  /** When set, the named method throws this error. */
  failing: { method: string; error: Error } | undefined;
  policiesRaw: Readonly<Record<string, unknown>> = { when: { 'tokens.total': '> 200k' } };

  private check(method: string, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failing?.method === method) throw this.failing.error;
  }
  readiness(): ReadinessReport {
    this.check('readiness', []);
    return this.ready;
  }
  mode(): Mode {
    return 'enforce';
  }
  sessions(filter?: SessionFilter): SessionView[] {
    this.check('sessions', [filter]);
    return this.list;
  }
  session(key: string): (SessionView & { readonly decisions: readonly JournalEntry[] }) | undefined {
    this.check('session', [key]);
    const found = this.list.find((s) => s.session.key === key);
    return found && { ...found, decisions: this.entries.filter((e) => e.session === key) };
  }
  policies(): ReturnType<WardenView['policies']> {
    this.check('policies', []);
    return [{ name: 'session-token-cap', scope: 'session', mode: 'enforce', raw: this.policiesRaw }];
  }
  async journal(query: Parameters<WardenView['journal']>[0]): Promise<JournalEntry[]> {
    this.check('journal', [query]);
    return this.entries.slice(0, query.limit);
  }
  async act(action: Act, keys: readonly string[], options: { by: string; dryRun: boolean }): Promise<ActionOutcome[]> {
    this.check('act', [action, keys, options]);
    return keys.map((k) => this.outcome(action, k));
  }
  async unmark(key: string, by: string): ReturnType<WardenView['unmark']> {
    this.check('unmark', [key, by]);
    return this.list.some((s) => s.session.key === key) ? { key, cancelled: [] } : undefined;
  }
  async cleanup(options: Parameters<WardenView['cleanup']>[0]): Promise<ActionOutcome[]> {
    this.check('cleanup', [options]);
    return [{ key: 'agent:backend:job/1', action: 'cleanup', status: options.dryRun ? 'would' : 'done', detail: 'archived' }];
  }
  subscribe(listener: (update: WardenUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(update: WardenUpdate): void {
    for (const l of this.listeners) l(update);
  }
}

/** A logger that keeps what it was given, so tests can check what was (and was not) logged. */
export function memoryLog(): {
  lines: { level: string; obj: object; msg?: string }[];
  info: (o: object, m?: string) => void;
  warn: (o: object, m?: string) => void;
  error: (o: object, m?: string) => void;
  debug: (o: object, m?: string) => void;
} {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}
