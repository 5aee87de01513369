import { closest } from '../../config/errors.js';
import type { OpenClawSource } from '../../sources/openclaw/index.js';
import type { UsageBaseline } from '../../domain/session.js';
import { traitsOf, type ManualAction } from '../../actions/index.js';
import { selectForCleanup, type CleanupOptions, type KeyResult, type SessionControl, type SessionView } from './control.js';

const DAEMON_HINT = 'main sessions cannot be archived; a hold lives in the running daemon (clawwarden run), which aborts any new run on it';

/** SessionControl straight to an OpenClaw gateway (no daemon running): no journal, no holds. */
export class DirectControl implements SessionControl {
  readonly target: string;
  readonly #source: OpenClawSource;
  readonly #now: () => number;

  constructor(source: OpenClawSource, now: () => number = Date.now) {
    this.#source = source;
    this.#now = now;
    this.target = `gateway ${source.url}`;
  }

  async list(): Promise<SessionView[]> {
    const [sessions, baselines] = await Promise.all([this.#source.inventory(), this.#source.usage()]);
    const usage = new Map<string, UsageBaseline>(baselines.map((b) => [b.key, b]));
    return sessions.map((s) => {
      const b = usage.get(s.key);
      // A baseline of an older generation is not this session's spend.
      return b && b.generation === s.generation ? { ...s, usage: { input: b.input, output: b.output, cacheRead: b.cacheRead, cacheWrite: b.cacheWrite, cost: b.cost } } : s;
    });
  }

  async act(action: ManualAction, keys: readonly string[], dryRun: boolean): Promise<KeyResult[]> {
    const sessions = await this.#source.inventory();
    const byKey = new Map(sessions.map((s) => [s.key, s]));
    const results: KeyResult[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      const session = byKey.get(key);
      if (!session) {
        const hint = closest(key, [...byKey.keys()]);
        results.push({ key, action, status: 'unknown', detail: `no session ${key} on ${this.target}${hint ? `; did you mean ${hint}?` : ''}` });
        continue;
      }
      if (seen.has(key)) {
        results.push({ key, action, status: 'noop', detail: 'listed twice; acted once', generation: session.generation });
        continue;
      }
      seen.add(key);
      // Without the daemon nobody keeps a hold: refuse rather than abort once and leave the session open.
      if (session.main && traitsOf(action).onMain !== 'yes') {
        const advice = traitsOf(action).hold === 'releases' ? `${action} it through the daemon` : `${action} it through the daemon, or use "sessions stop" to end the current run`;
        results.push({ key, action, status: 'refused', detail: `${DAEMON_HINT}; ${advice}`, generation: session.generation });
        continue;
      }
      if (dryRun) {
        results.push({
          key,
          action,
          status: 'planned',
          detail: `would ${action} (${session.active ? 'running' : (session.status ?? 'idle')}${session.archived ? ', archived' : ''})`,
          generation: session.generation,
        });
        continue;
      }
      const result = await this.#source.perform({ action, key, generation: session.generation });
      results.push({ key, action, status: result.status, detail: result.detail, generation: session.generation });
    }
    return results;
  }

  async cleanup(options: CleanupOptions): Promise<KeyResult[]> {
    const selected = selectForCleanup(await this.#source.inventory(), options, this.#now());
    const results: KeyResult[] = [];
    for (const s of selected) {
      if (options.dryRun) {
        results.push({ key: s.key, action: 'cleanup', status: 'planned', detail: `would ${options.mode}`, generation: s.generation });
        continue;
      }
      const result = await this.#source.perform({ action: 'cleanup', key: s.key, generation: s.generation, cleanup: options.mode });
      results.push({ key: s.key, action: 'cleanup', status: result.status, detail: result.detail, generation: s.generation });
    }
    return results;
  }

  async close(): Promise<void> {
    await this.#source.close();
  }
}
