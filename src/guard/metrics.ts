import { Counter, Gauge, type Registry } from 'prom-client';

/** The guard families on the daemon's registry (`clawwarden_guard_*`). */
export interface GuardMetrics {
  setUp(source: string, up: boolean): void;
  recordEvent(source: string, kind: 'blocked' | 'refused'): void;
  recordUsage(source: string, counted: number, duplicate: number): void;
}

/** Registers the guard families; `sources` get a zero-valued `clawwarden_guard_up` at once, so "never connected" is visible. */
export function createGuardMetrics(registry: Registry, sources: readonly string[]): GuardMetrics {
  const registers = [registry];
  const up = new Gauge({ name: 'clawwarden_guard_up', help: '1 while the in-gateway guard of the source holds its verdict stream open, else 0.', labelNames: ['source'], registers });
  const events = new Counter({
    name: 'clawwarden_guard_events_total',
    help: 'Tool calls blocked (and their runs aborted) and runs refused at admission by the in-gateway guard.',
    labelNames: ['source', 'kind'],
    registers,
  });
  const usage = new Counter({
    name: 'clawwarden_guard_usage_records_total',
    help: 'Model calls the guard reported, by whether the daemon counted them or already had them from the gateway events.',
    labelNames: ['source', 'result'],
    registers,
  });
  for (const source of sources) {
    up.set({ source }, 0);
    for (const kind of ['blocked', 'refused']) events.inc({ source, kind }, 0);
  }
  return {
    setUp: (source, isUp) => up.set({ source }, isUp ? 1 : 0),
    recordEvent: (source, kind) => events.inc({ source, kind }),
    recordUsage: (source, counted, duplicate) => {
      if (counted > 0) usage.inc({ source, result: 'counted' }, counted);
      if (duplicate > 0) usage.inc({ source, result: 'duplicate' }, duplicate);
    },
  };
}
