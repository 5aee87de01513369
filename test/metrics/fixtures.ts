import type { BudgetUse } from '../../src/engine/types.js';
import type { SessionDisplayState, SessionView } from '../../src/http/view.js';

/** A session view with the given usage; total = input + output + cache. */
export function view(
  key: string,
  options: {
    source?: string;
    agent?: string;
    generation?: string;
    state?: SessionDisplayState;
    input?: number;
    output?: number;
    cacheRead?: number;
    cacheWrite?: number;
    cost?: number;
    known?: boolean;
    budgets?: BudgetUse[];
  } = {},
): SessionView {
  const input = options.input ?? 0;
  const output = options.output ?? 0;
  const cacheRead = options.cacheRead ?? 0;
  const cacheWrite = options.cacheWrite ?? 0;
  return {
    session: { source: options.source ?? 'home', key, generation: options.generation ?? 'g1', agent: options.agent ?? 'main', main: false, archived: false, active: options.state === 'running' },
    state: options.state ?? 'idle',
    usage: { input, output, cacheRead, cacheWrite, cost: options.cost ?? 0, total: input + output + cacheRead + cacheWrite, calls: 1, known: options.known ?? true },
    budgets: options.budgets ?? [],
    can: ['stop'],
    protected: false,
  };
}

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A small parser of the Prometheus text format: family types and samples. */
export function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

/** Samples of one metric name, as `labels → value` with labels rendered `k=v,k=v` sorted by key. */
export function series(samples: readonly Sample[], name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples.filter((s) => s.name === name)) {
    out[
      Object.keys(s.labels)
        .sort()
        .map((k) => `${k}=${s.labels[k]}`)
        .join(',')
    ] = s.value;
  }
  return out;
}
