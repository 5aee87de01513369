import { describe, expect, it } from 'vitest';
import type { SessionRef } from '../../src/engine/types.js';
import { actionFailedMessage, actionMessage, blastRadiusMessage, sourceDownMessage, sourceUpMessage, testMessage, violationMessage, warnMessage } from '../../src/notifiers/messages.js';
import type { Notification } from '../../src/notifiers/types.js';
import { decision } from './fixtures.js';

const AT = Date.UTC(2026, 0, 5, 12);
const d = decision();
const target = d.targets[0] as SessionRef;
const agentTargets: SessionRef[] = ['a', 'b', 'c'].map((k) => ({ source: 'home', key: `agent:backend:${k}`, generation: `g-${k}`, agent: 'backend', main: false, active: true }));
const agentDecision = decision({
  id: 'agent-daily/home/backend/w1/0',
  policy: 'agent-daily',
  scope: 'agent',
  subject: 'agent backend',
  targets: agentTargets,
  actions: [{ action: 'pause' }],
  reason: 'cost $26.10 > $25.00 (policy agent-daily)',
  measurements: [{ metric: 'cost', value: 26.1, op: '>', threshold: 25, text: 'cost $26.10 > $25.00', ratio: 1.044 }],
  window: { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 0, 6) },
});
const warn = decision({
  id: 'w-1',
  kind: 'warn',
  actions: [],
  measurements: [{ metric: 'tokens.total', value: 164_000, op: '>', threshold: 200_000, text: 'tokens.total 164,000 > 200,000', ratio: 0.82 }],
});

const cases: [string, Notification, { kind: string; title: string; dedupKey: string; lines: string[] }][] = [
  [
    'warn',
    warnMessage(warn, AT),
    {
      kind: 'warn',
      dedupKey: 'warn:w-1',
      title: '[clawwarden] Warning: agent:main:loop at 82% of session-token-cap — tokens.total 164,000 of 200,000',
      lines: [
        'Policy: session-token-cap (session scope)',
        'Session: agent:main:loop (source home, generation g-1, running)',
        'Measured: tokens.total 164,000 of 200,000 (82% of the threshold)',
        'Action: none yet (soft budget); the policy acts when the threshold is crossed.',
      ],
    },
  ],
  [
    'violation',
    violationMessage(d, AT),
    {
      kind: 'violation',
      dedupKey: `violation:${d.id}`,
      title: '[clawwarden] Violation: session-token-cap on agent:main:loop — tokens.total 231,402 > 200,000',
      lines: ['Agent: main', 'Reason: tokens.total 231,402 > 200,000 (policy session-token-cap)', 'Mode: enforce', 'Planned: notify, stop'],
    },
  ],
  [
    'escalation',
    violationMessage(decision({ id: 'e-1', kind: 'escalation', step: 1, actions: [{ action: 'kill' }] }), AT),
    {
      kind: 'violation',
      dedupKey: 'escalation:e-1',
      title: '[clawwarden] Escalation: session-token-cap on agent:main:loop — tokens.total 231,402 > 200,000',
      lines: ['Policy: session-token-cap (session scope, escalation step 1)', 'Planned: kill'],
    },
  ],
  [
    'action taken',
    actionMessage({ decision: d, action: 'stop', mode: 'enforce', results: [{ target, status: 'done', detail: 'run aborted' }] }, AT),
    {
      kind: 'action',
      dedupKey: `action:${d.id}:stop`,
      title: '[clawwarden] Stopped agent:main:loop — tokens.total 231,402 > 200,000',
      lines: ['Result: agent:main:loop: done — run aborted', 'Done: stopped agent:main:loop.'],
    },
  ],
  [
    'dry-run action',
    actionMessage({ decision: decision({ mode: 'dry-run' }), action: 'kill', mode: 'dry-run', results: [{ target, status: 'would', detail: '' }] }, AT),
    {
      kind: 'action',
      dedupKey: `action:${d.id}:kill`,
      title: '[clawwarden] Would kill agent:main:loop — tokens.total 231,402 > 200,000',
      lines: ['Mode: dry-run', 'Done: nothing (dry-run); in enforce mode clawwarden would kill agent:main:loop.'],
    },
  ],
  [
    'cleanup archive',
    actionMessage({ decision: d, action: 'cleanup', cleanup: 'archive', mode: 'enforce', results: [{ target, status: 'done', detail: '' }] }, AT),
    {
      kind: 'action',
      dedupKey: `action:${d.id}:cleanup`,
      title: '[clawwarden] Archived agent:main:loop — tokens.total 231,402 > 200,000',
      lines: ['Done: archived agent:main:loop.'],
    },
  ],
  [
    'agent-scope action',
    actionMessage({ decision: agentDecision, action: 'pause', mode: 'enforce', results: agentTargets.map((t) => ({ target: t, status: 'done' as const, detail: 'archived' })) }, AT),
    {
      kind: 'action',
      dedupKey: 'action:agent-daily/home/backend/w1/0:pause',
      title: '[clawwarden] Paused 3 sessions of agent backend — cost $26.10 > $25.00',
      lines: [
        'Policy: agent-daily (agent scope)',
        'Agent: backend',
        'Session: agent:backend:b (source home, generation g-b, running)',
        'Budget window: 2026-01-05T00:00:00.000Z – 2026-01-06T00:00:00.000Z',
      ],
    },
  ],
  [
    'action failed',
    actionFailedMessage({ decision: d, action: 'stop', mode: 'enforce', results: [{ target, status: 'refused', detail: 'gateway: missing scope operator.admin' }] }, AT),
    {
      kind: 'action-failed',
      dedupKey: `action-failed:${d.id}:stop`,
      title: '[clawwarden] FAILED to stop agent:main:loop — gateway: missing scope operator.admin',
      lines: ['Result: agent:main:loop: refused — gateway: missing scope operator.admin', 'Measured: tokens.total 231,402 > 200,000 (116% of the threshold)'],
    },
  ],
  [
    'source down',
    sourceDownMessage({ source: 'home', error: 'connect ECONNREFUSED 127.0.0.1:18789', since: AT - 60_000 }, AT),
    {
      kind: 'source-down',
      dedupKey: `source-down:home:${AT - 60_000}`,
      title: '[clawwarden] Source home is down — connect ECONNREFUSED 127.0.0.1:18789',
      lines: ['Source: home', 'Down since: 2026-01-05T11:59:00.000Z'],
    },
  ],
  [
    'source up',
    sourceUpMessage({ source: 'home', downSince: AT - 90_000 }, AT),
    {
      kind: 'source-up',
      dedupKey: `source-up:home:${AT - 90_000}`,
      title: '[clawwarden] Source home is back up',
      lines: ['Was down: 90 s (since 2026-01-05T11:58:30.000Z)', 'Done: enforcement resumed after a full re-sync.'],
    },
  ],
  [
    'blast radius',
    blastRadiusMessage({ decisions: [d, agentDecision], actions: 37, limit: 20, sessions: 37, sweepId: 'sweep-9' }, AT),
    {
      kind: 'blast-radius',
      dedupKey: 'blast-radius:sweep-9',
      title: '[clawwarden] Refused 37 actions — blast-radius limit 20 per sweep exceeded (session-token-cap, agent-daily)',
      lines: ['Wanted: 37 actions on 37 sessions; limit 20 per sweep.', 'Decision: agent-daily on agent backend — cost $26.10 > $25.00 (policy agent-daily)'],
    },
  ],
  [
    'test',
    testMessage('ops-email', AT),
    {
      kind: 'test',
      dedupKey: `test:ops-email:${AT}`,
      title: '[clawwarden] Test message for notifier ops-email — delivery works',
      lines: ['Notifier: ops-email'],
    },
  ],
];

describe('message builders', () => {
  it.each(cases)('%s: inbox title, stable dedupKey and the explaining lines', (_name, message, expected) => {
    expect(message.kind).toBe(expected.kind);
    expect(message.title).toBe(expected.title);
    expect(message.dedupKey).toBe(expected.dedupKey);
    expect(message.at).toBe(AT);
    for (const line of expected.lines) expect(message.lines).toContain(line);
  });

  it('is deterministic: the same event builds the same message', () => {
    expect(violationMessage(d, AT)).toEqual(violationMessage(d, AT));
    expect(actionMessage({ decision: d, action: 'stop', mode: 'enforce', results: [] }, AT + 5).dedupKey).toBe(`action:${d.id}:stop`);
  });

  it('carries the structured fields webhooks forward', () => {
    const message = actionMessage({ decision: d, action: 'stop', mode: 'enforce', results: [{ target, status: 'done', detail: '' }] }, AT);
    expect(message).toMatchObject({
      policy: 'session-token-cap',
      source: 'home',
      session: 'agent:main:loop',
      agent: 'main',
      action: 'stop',
      result: 'done',
      mode: 'enforce',
      measurements: d.measurements,
    });
    const aggregate = actionMessage({ decision: agentDecision, action: 'pause', mode: 'enforce', results: [] }, AT);
    expect(aggregate.agent).toBe('backend');
    expect(aggregate.session).toBeUndefined();
  });

  it('caps the session list of a large decision', () => {
    const many: SessionRef[] = Array.from({ length: 45 }, (_, i) => ({ ...target, key: `agent:x:${i}` }));
    const message = violationMessage(decision({ targets: many, scope: 'fleet', subject: 'fleet' }), AT);
    expect(message.lines.filter((l) => l.startsWith('Session: '))).toHaveLength(20);
    expect(message.lines).toContain('… and 25 more sessions');
    expect(message.title).toBe('[clawwarden] Violation: session-token-cap on 45 sessions of fleet — tokens.total 231,402 > 200,000');
  });
});
