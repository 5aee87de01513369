import { loadConfig } from '../../config/index.js';
import { create, type DemoOptions, type DemoSource } from '../../sources/demo/index.js';
import type { UsageBaseline } from '../../domain/session.js';
import type { SourceContext } from '../../sources/source.js';
import { UsageError } from '../command.js';
import type { KeyResult, SessionControl, SessionView } from './control.js';

const quiet: SourceContext['log'] = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Why only `list` takes --demo, and how to act on the demo instead. */
export const DEMO_ACTIONS_HINT =
  '--demo works with "sessions list" only: an in-process demo fleet lives just as long as this command, so acting on it would change nothing you could see. ' +
  'Start the demo daemon (npm start, or clawwarden run --demo) and run the command without --demo: it goes through that daemon, with the API token it printed in CLAWWARDEN_API_TOKEN';

/** `sessions list --demo`: the built-in demo fleet as it stands now, in this process (like `check --demo`); read-only. */
export class DemoControl implements SessionControl {
  readonly target = 'the built-in demo fleet (in this process)';
  readonly #source: DemoSource;

  constructor(now: () => number = Date.now) {
    const config = loadConfig({ demo: true, cwd: '/', env: {} }).config;
    const options = (config?.sources.find((s) => s.type === 'demo')?.options ?? {}) as DemoOptions;
    this.#source = create('demo', options, { now, log: quiet });
  }

  async list(): Promise<SessionView[]> {
    await this.#source.start();
    const [sessions, baselines] = await Promise.all([this.#source.inventory(), this.#source.usage()]);
    const usage = new Map<string, UsageBaseline>(baselines.map((b) => [b.key, b]));
    return sessions.map((s) => {
      const b = usage.get(s.key);
      return b ? { ...s, usage: { input: b.input, output: b.output, cacheRead: b.cacheRead, cacheWrite: b.cacheWrite, cost: b.cost } } : s;
    });
  }

  act(): Promise<KeyResult[]> {
    return Promise.reject(new UsageError(DEMO_ACTIONS_HINT));
  }

  cleanup(): Promise<KeyResult[]> {
    return Promise.reject(new UsageError(DEMO_ACTIONS_HINT));
  }

  async close(): Promise<void> {
    await this.#source.close();
  }
}
