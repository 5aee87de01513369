import { loadConfigWith, type LoadOptions } from '../../src/config/config-file.js';
import { builtinRegistries } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { SessionRecorder, type Gap, type Timeline } from '../../src/replay/timeline.js';

export const T0 = Date.parse('2026-01-05T00:00:00Z');
export const MIN = 60_000;

/** A config around inline policies (YAML text of the `policies:` list, indented two spaces). */
export function configOf(policies: string, extra = ''): Config {
  const text = `sources: [ { name: home, type: openclaw } ]\nnotifiers: { ops: { type: webhook, url: "https://hooks.example.com/x" } }\n${extra}policies:\n${policies}`;
  const options: LoadOptions = { demo: true, demoText: text, cwd: process.cwd(), env: {} };
  const loaded = loadConfigWith(builtinRegistries(), options);
  if (!loaded.config) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.config;
}

/** One call: minutes after T0, tokens in and out, dollars, and an optional run id. */
export type CallSpec = [minute: number, input: number, output: number, cost?: number, run?: string];

export interface SessionSpec {
  readonly key: string;
  readonly calls: readonly CallSpec[];
  readonly createdAt?: number;
  readonly model?: string;
}

/** A timeline over [from, to) minutes after T0 from plain session specs. */
export function timelineOf(sessions: readonly SessionSpec[], from = 0, to = 24 * 60, gaps: Gap[] = []): Timeline {
  return {
    origin: 'test',
    from: T0 + from * MIN,
    to: T0 + to * MIN,
    gaps,
    sessions: sessions.map((s) => {
      const agent = s.key.split(':')[1]!;
      const r = new SessionRecorder({
        source: 'home',
        key: s.key,
        generation: `${s.key}#1`,
        agent,
        main: s.key.endsWith(':main'),
        ...(s.createdAt !== undefined ? { createdAt: s.createdAt } : {}),
        ...(s.model ? { model: s.model } : {}),
      });
      for (const [m, input, output, cost, run] of s.calls) r.call(T0 + m * MIN, { input, output, cacheRead: 0, cacheWrite: 0, cost: cost ?? 0 }, run);
      return r.build();
    }),
  };
}
