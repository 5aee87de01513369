import { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { parseExposition, series, view } from './fixtures.js';

const FAMILIES: Record<string, string> = {
  clawwarden_sessions: 'gauge',
  clawwarden_agent_tokens_total: 'counter',
  clawwarden_agent_cost_usd_total: 'counter',
  clawwarden_budget_used_ratio: 'gauge',
  clawwarden_policy_violations_total: 'counter',
  clawwarden_policy_errors_total: 'counter',
  clawwarden_actions_total: 'counter',
  clawwarden_enforcement_latency_seconds: 'histogram',
  clawwarden_evaluation_duration_seconds: 'histogram',
  clawwarden_last_sweep_success_timestamp_seconds: 'gauge',
  clawwarden_source_up: 'gauge',
  clawwarden_notifications_total: 'counter',
  clawwarden_session_tokens: 'gauge',
  clawwarden_sessions_usage_unknown: 'gauge',
  clawwarden_build_info: 'gauge',
};

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await metrics.render());
}

describe('createMetrics', () => {
  it('exposes exactly the families of DESIGN.md §6 with their types, plus process metrics', async () => {
    const { types } = await scrape(createMetrics({ topSessions: 5, version: '9.9.9' }));
    const ours = Object.fromEntries([...types].filter(([name]) => name.startsWith('clawwarden_')));
    expect(ours).toEqual(FAMILIES);
    const others = [...types.keys()].filter((name) => !name.startsWith('clawwarden_'));
    expect(others).toContain('process_resident_memory_bytes');
    expect(others.filter((name) => !/^(process|nodejs)_/.test(name))).toEqual([]);
  });

  it('owns its registry: two instances never share values', async () => {
    const a = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    const b = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    a.recordViolation('cap');
    expect(series((await scrape(a)).samples, 'clawwarden_policy_violations_total')).toEqual({ 'policy=cap': 1 });
    expect(series((await scrape(b)).samples, 'clawwarden_policy_violations_total')).toEqual({});
  });

  it('labels build info with the clawwarden and node versions', async () => {
    const { samples } = await scrape(createMetrics({ topSessions: 5, version: '1.2.3', processMetrics: false }));
    expect(series(samples, 'clawwarden_build_info')).toEqual({ [`node=${process.version},version=1.2.3`]: 1 });
  });

  it('counts sessions by source, agent and state, and forgets combinations that are gone', async () => {
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    m.updateFleet({ sessions: [view('a', { state: 'running' }), view('b', { state: 'running' }), view('c', { agent: 'ops', state: 'held' }), view('d', { source: 'lab', state: 'idle' })] });
    expect(series((await scrape(m)).samples, 'clawwarden_sessions')).toEqual({
      'agent=main,source=home,state=running': 2,
      'agent=ops,source=home,state=held': 1,
      'agent=main,source=lab,state=idle': 1,
    });
    m.updateFleet({ sessions: [view('a', { state: 'idle' })] });
    expect(series((await scrape(m)).samples, 'clawwarden_sessions')).toEqual({ 'agent=main,source=home,state=idle': 1 });
  });

  it('keeps agent token and cost counters monotonic when sessions end or roll to a new generation', async () => {
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    m.updateFleet({ sessions: [view('a', { input: 100, output: 10, cost: 0.5 }), view('b', { input: 50, cacheRead: 7, cacheWrite: 3, cost: 0.25 })] });
    m.updateFleet({ sessions: [view('a', { input: 130, output: 10, cost: 0.75 })] });
    // `a` reset: a new generation starts from zero usage and adds on top.
    m.updateFleet({ sessions: [view('a', { generation: 'g2', input: 5, cost: 0.1 })] });
    const { samples } = await scrape(m);
    expect(series(samples, 'clawwarden_agent_tokens_total')).toEqual({
      'agent=main,source=home,type=input': 185,
      'agent=main,source=home,type=output': 10,
      'agent=main,source=home,type=cache_read': 7,
      'agent=main,source=home,type=cache_write': 3,
    });
    expect(series(samples, 'clawwarden_agent_cost_usd_total')['agent=main,source=home']).toBeCloseTo(1.1, 10);
  });

  it('skips sessions whose usage is unknown instead of counting zeros', async () => {
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    m.updateFleet({ sessions: [view('a', { input: 100, known: false })] });
    m.updateFleet({ sessions: [view('a', { input: 120 })] });
    expect(series((await scrape(m)).samples, 'clawwarden_agent_tokens_total')['agent=main,source=home,type=input']).toBe(120);
    expect(series((await scrape(m)).samples, 'clawwarden_session_tokens')['agent=main,session=a,source=home,type=input']).toBe(120);
  });

  it('exports session_tokens for the top N sessions only and removes series that drop out or end', async () => {
    const m = createMetrics({ topSessions: 2, version: '1', processMetrics: false });
    m.updateFleet({ sessions: [view('small', { input: 10 }), view('big', { input: 900, output: 100 }), view('mid', { input: 500 }), view('tiny', { input: 1 })] });
    let s = series((await scrape(m)).samples, 'clawwarden_session_tokens');
    expect(new Set(Object.keys(s).map((k) => /session=([^,]+)/.exec(k)?.[1]))).toEqual(new Set(['big', 'mid']));
    expect(s['agent=main,session=big,source=home,type=output']).toBe(100);
    expect(Object.keys(s)).toHaveLength(8);

    m.updateFleet({ sessions: [view('small', { input: 10_000 }), view('mid', { input: 500 })] });
    s = series((await scrape(m)).samples, 'clawwarden_session_tokens');
    expect(new Set(Object.keys(s).map((k) => /session=([^,]+)/.exec(k)?.[1]))).toEqual(new Set(['small', 'mid']));
  });

  it('reduces budget use to bounded series: worst session per policy, per agent, fleet', async () => {
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    m.updateFleet({
      sessions: [
        view('a', { budgets: [{ policy: 'cap', scope: 'session', subject: 'session a', ratio: 0.4 }] }),
        view('b', { budgets: [{ policy: 'cap', scope: 'session', subject: 'session b', ratio: 0.9 }] }),
      ],
      budgets: [
        { policy: 'daily', scope: 'agent', subject: 'agent backend', agent: 'backend', ratio: 1.2 },
        { policy: 'daily', scope: 'agent', subject: 'agent ops', ratio: 0.3 },
        { policy: 'fleet-cap', scope: 'fleet', subject: 'fleet', ratio: 0.5 },
      ],
    });
    expect(series((await scrape(m)).samples, 'clawwarden_budget_used_ratio')).toEqual({
      'policy=cap,scope=session': 0.9,
      'agent=backend,policy=daily,scope=agent': 1.2,
      'agent=ops,policy=daily,scope=agent': 0.3,
      'policy=fleet-cap,scope=fleet': 0.5,
    });
  });

  it('records actions, violations, sources, sweeps, notifications and latencies with their labels', async () => {
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false });
    m.declare({ policies: ['cap', 'idle'], notifiers: ['mail'] });
    m.recordViolation('cap');
    m.recordAction({ policy: 'cap', action: 'stop', result: 'done', mode: 'enforce' });
    m.recordAction({ policy: 'cap', action: 'stop', result: 'done', mode: 'enforce' });
    m.recordAction({ policy: 'cap', action: 'kill', result: 'refused-blast-radius', mode: 'enforce' });
    m.recordAction({ policy: 'idle', action: 'cleanup', result: 'would', mode: 'dry-run' });
    m.setSourceUp('home', true);
    m.setSourceUp('lab', false);
    m.sweepSucceeded(1_700_000_000_500);
    m.recordNotification('mail', 'error');
    m.recordNotification('mail', 'sent');
    m.observeLatency(0.12);
    m.observeEvaluation(0.002);
    const { samples } = await scrape(m);
    expect(series(samples, 'clawwarden_policy_violations_total')).toEqual({ 'policy=cap': 1, 'policy=idle': 0 });
    expect(series(samples, 'clawwarden_actions_total')).toEqual({
      'action=stop,mode=enforce,policy=cap,result=done': 2,
      'action=kill,mode=enforce,policy=cap,result=refused-blast-radius': 1,
      'action=cleanup,mode=dry-run,policy=idle,result=would': 1,
    });
    expect(series(samples, 'clawwarden_source_up')).toEqual({ 'source=home': 1, 'source=lab': 0 });
    expect(series(samples, 'clawwarden_last_sweep_success_timestamp_seconds')).toEqual({ '': 1_700_000_000.5 });
    expect(series(samples, 'clawwarden_notifications_total')).toEqual({
      'notifier=mail,result=sent': 1,
      'notifier=mail,result=error': 1,
      'notifier=mail,result=deduplicated': 0,
      'notifier=mail,result=rate-limited': 0,
    });
    expect(series(samples, 'clawwarden_enforcement_latency_seconds_bucket')['le=0.1']).toBe(0);
    expect(series(samples, 'clawwarden_enforcement_latency_seconds_bucket')['le=0.15']).toBe(1);
    expect(series(samples, 'clawwarden_evaluation_duration_seconds_count')).toEqual({ '': 1 });
  });

  it('pulls the fleet at scrape time and keeps the last good values when the provider throws', async () => {
    const warnings: object[] = [];
    let fail = false;
    const m = createMetrics({
      topSessions: 5,
      version: '1',
      processMetrics: false,
      log: { warn: (o) => warnings.push(o) },
      fleet: () => {
        if (fail) throw new Error('view exploded');
        return { sessions: [view('a', { state: 'running', input: 5 })] };
      },
    });
    expect(series((await scrape(m)).samples, 'clawwarden_sessions')).toEqual({ 'agent=main,source=home,state=running': 1 });
    fail = true;
    const { samples } = await scrape(m);
    expect(series(samples, 'clawwarden_sessions')).toEqual({ 'agent=main,source=home,state=running': 1 });
    expect(warnings).toEqual([{ collector: 'fleet', stale: true, err: 'view exploded' }]);
  });

  it('leaves a failing family out of the scrape instead of failing it', async () => {
    const warnings: object[] = [];
    const m = createMetrics({ topSessions: 5, version: '1', processMetrics: false, log: { warn: (o) => warnings.push(o) } });
    new Gauge({
      name: 'clawwarden_broken',
      help: 'x',
      registers: [m.registry],
      collect() {
        throw new Error('boom');
      },
    });
    m.setSourceUp('home', true);
    const { types, samples } = await scrape(m);
    expect(types.has('clawwarden_broken')).toBe(false);
    expect(series(samples, 'clawwarden_source_up')).toEqual({ 'source=home': 1 });
    expect(warnings).toEqual([{ collector: 'clawwarden_broken', err: 'boom' }]);
  });
});
