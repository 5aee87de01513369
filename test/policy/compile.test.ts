import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../../src/policy/index.js';
import { FULL, ORIGIN, policy, schemaValidator } from './fixtures.js';

const DESIGN_POLICIES = `
- name: session-token-cap
  description: Stop any session past 200k tokens; kill it if it keeps going.
  match: { agent: "backend-*", exclude: { key: "agent:*:main" } }
  when: { tokens.total: "> 200k" }
  do: [ { notify: ops-chat }, stop ]
  escalate:
    - after: 5m
      if: active
      do: kill
  cooldown: 30m
- name: inefficient-sessions
  when:
    all:
      - tokens.input: "> 50k"
      - ratio.input_output: "> 40"
  do: [ { notify: ops-email }, pause ]
- name: idle-cleanup
  when: { idle: "> 24h" }
  do: [ { cleanup: archive } ]
- name: team-daily-budget
  scope: agent
  window: { every: day, at: "00:00", tz: Europe/Berlin }
  when: { cost: "> $25" }
  warn: 80%
  do: [ notify, pause ]
- name: runaway
  mode: dry-run
  allowProtected: true
  when: { any: [ { burn: { tokens: "> 20k", per: 1m } }, { not: { state: [idle, archived] } } ] }
  do: [ { notify: [ops-chat, ops-email] }, compact, { cleanup: delete }, resume ]
`;

describe('the DESIGN.md policies', () => {
  const raws = parse(DESIGN_POLICIES) as Record<string, unknown>[];
  it.each(raws.map((r) => [r.name as string, r]))('%s passes the schema and compiles', (_name, raw) => {
    const validate = schemaValidator();
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
    const result = compilePolicy(raw, ORIGIN, FULL);
    expect(result.problems).toEqual([]);
    expect(result.policy?.name).toBe(raw.name);
  });

  it('compiles defaults, units and the ladder into engine form', () => {
    const p = compilePolicy(raws[0], ORIGIN, FULL).policy!;
    expect(p.scope).toBe('session');
    expect(p.cooldown).toBe(30 * 60_000);
    expect(p.actions).toEqual([{ action: 'notify', notifiers: ['ops-chat'] }, { action: 'stop' }]);
    expect(p.escalate).toEqual([{ after: 5 * 60_000, ifActive: true, actions: [{ action: 'kill' }] }]);
    expect(p.allowProtected).toBe(false);
    expect(p.mode).toBeUndefined();
  });

  it('compiles window defaults and warn', () => {
    const p = policy(`{ name: b, scope: fleet, window: { every: week }, warn: 0.9, when: { cost: "> $100" }, do: notify }`);
    expect(p.window).toEqual({ every: 'week', at: '00:00', tz: 'UTC' });
    expect(p.warn).toBe(0.9);
    expect(p.actions).toEqual([{ action: 'notify', notifiers: 'all' }]);
  });
});

describe('match', () => {
  const session = (over: Record<string, unknown>) => ({ source: 'home', key: 'agent:backend-1:x', generation: 'g', agent: 'backend-1', main: false, archived: false, active: false, ...over });
  it.each([
    ['{ agent: "backend-*" }', {}, true],
    ['{ agent: "backend-*" }', { agent: 'frontend' }, false],
    ['{ agent: [ops, "backend-*"] }', {}, true],
    ['{ agent: "backend-*", exclude: { key: "agent:*:main" } }', { key: 'agent:backend-1:main' }, false],
    ['{ model: "claude-*" }', {}, false],
    ['{ model: "claude-*" }', { model: 'claude-sonnet-4' }, true],
    ['{ exclude: { channel: [slack, discord] } }', { channel: 'slack' }, false],
    ['{ exclude: { channel: [slack, discord] } }', {}, true],
    ['{ kind: direct, provider: anthropic }', { kind: 'direct', provider: 'anthropic' }, true],
    ['{ kind: direct, provider: anthropic }', { kind: 'group', provider: 'anthropic' }, false],
  ])('match %s on %j → %s', (match, over, want) => {
    const p = policy(`{ name: m, match: ${match}, when: { idle: "> 1h" }, do: stop }`);
    expect(p.matches(session(over))).toBe(want);
    // Memoised per value: asking again gives the same answer.
    expect(p.matches(session(over))).toBe(want);
  });
});

describe('compilePolicy problems', () => {
  const problems = (yaml: string, options = FULL) => compilePolicy(parse(yaml), ORIGIN, options).problems;

  it.each([
    ['unit-less money', '{ name: a, when: { cost: "> 25" }, do: stop }', ['when', 'cost'], /expected an amount in dollars.*write "\$25"/],
    ['negative count', '{ name: a, when: { tokens.total: "> -5k" }, do: stop }', ['when', 'tokens.total'], /negative/],
    ['unit-less duration', '{ name: a, when: { idle: "> 24" }, do: stop }', ['when', 'idle'], /expected a duration/],
    ['bad cooldown', '{ name: a, when: { idle: "> 1h" }, do: stop, cooldown: soon }', ['cooldown'], /expected a duration/],
    ['bad glob', '{ name: a, match: { agent: "[abc" }, when: { idle: "> 1h" }, do: stop }', ['match', 'agent'], /bad glob/],
    ['unknown match key', '{ name: a, match: { agnt: x }, when: { idle: "> 1h" }, do: stop }', ['match', 'agnt'], /expected one of: agent, key/],
    ['unknown tz', '{ name: a, window: { every: day, tz: Mars/Olympus }, when: { idle: "> 1h" }, do: stop }', ['window', 'tz'], /unknown time zone "Mars\/Olympus"/],
    ['bad at', '{ name: a, window: { every: day, at: "7:00" }, when: { idle: "> 1h" }, do: stop }', ['window', 'at'], /"HH:MM"/],
    ['bad every', '{ name: a, window: { every: year }, when: { idle: "> 1h" }, do: stop }', ['window', 'every'], /day, week, month/],
    ['unknown notifier', '{ name: a, when: { idle: "> 1h" }, do: [ { notify: pager } ] }', ['do', 0, 'notify'], /unknown notifier "pager"; expected one of: ops-chat, ops-email/],
    ['unknown notifier in a list', '{ name: a, when: { idle: "> 1h" }, do: [ { notify: [ops-chat, pager] } ] }', ['do', 0, 'notify', 1], /unknown notifier "pager"/],
    ['unknown action', '{ name: a, when: { idle: "> 1h" }, do: [ stop, kil ] }', ['do', 1], /unknown action "kil"; expected one of: cleanup, compact, kill, notify/],
    ['bad cleanup mode', '{ name: a, when: { idle: "> 1h" }, do: [ { cleanup: shred } ] }', ['do', 0, 'cleanup'], /unknown cleanup mode "shred"; expected one of: archive, delete/],
    [
      'session-only condition in agent scope',
      '{ name: a, scope: agent, when: { all: [ { cost: "> $1" }, { idle: "> 1h" } ] }, do: stop }',
      ['when', 'all', 1, 'idle'],
      /cannot be used with scope: agent/,
    ],
    ['unknown condition', '{ name: a, when: { tokens.totl: "> 5" }, do: stop }', ['when', 'tokens.totl'], /unknown condition "tokens.totl"; expected one of: active, age/],
    ['escalate after not increasing', '{ name: a, when: { idle: "> 1h" }, do: stop, escalate: [ { after: 10m, do: kill }, { after: 5m, do: kill } ] }', ['escalate', 1, 'after'], /must increase/],
    ['escalate bad if', '{ name: a, when: { idle: "> 1h" }, do: stop, escalate: [ { after: 10m, if: idle, do: kill } ] }', ['escalate', 0, 'if'], /expected: active/],
    ['bad warn', '{ name: a, when: { cost: "> $1" }, do: stop, warn: 80 }', ['warn'], /expected a percentage/],
    ['bad scope', '{ name: a, scope: team, when: { idle: "> 1h" }, do: stop }', ['scope'], /session, agent, fleet/],
    ['bad burn', '{ name: a, when: { burn: { tokens: "> 20k", per: soon } }, do: stop }', ['when', 'burn', 'per'], /expected a duration/],
    ['burn with both', '{ name: a, when: { burn: { tokens: "> 20k", cost: "> $1", per: 1m } }, do: stop }', ['when', 'burn'], /exactly one of tokens or cost/],
    ['bad state', '{ name: a, when: { state: [idle, sleeping] }, do: stop }', ['when', 'state', 1], /unknown state "sleeping"/],
    ['unknown policy key', '{ name: a, when: { idle: "> 1h" }, do: stop, cooldwn: 5m }', ['cooldwn'], /unknown policy key/],
    ['missing name', '{ when: { idle: "> 1h" }, do: stop }', [], /missing required key "name": a unique name of letters, digits/],
  ])('%s', (_name, yaml, path, message) => {
    const found = problems(yaml);
    const hit = found.find((p) => JSON.stringify(p.path) === JSON.stringify(path));
    expect(hit, JSON.stringify(found)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('rejects actions no configured source can perform, listing what they can', () => {
    const found = problems('{ name: a, when: { idle: "> 1h" }, do: [ notify, compact ] }', { notifiers: [], capabilities: new Set(['stop', 'kill']) });
    expect(found).toEqual([
      { code: 'UNSUPPORTED_ACTION', path: ['do', 1], message: 'no configured source can compact; the sources can: kill, stop (and notify)', allowed: ['notify', 'kill', 'stop'] },
    ]);
  });

  it('reports every problem at once', () => {
    const found = problems('{ name: a, scope: agent, window: { every: day, at: "25:00", tz: X/Y }, when: { all: [ { cost: "25" }, { age: "> 1h" } ] }, do: [ kil, { notify: z } ], warn: 2 }');
    expect(found.map((p) => p.path.join('.')).sort()).toEqual(['do.0', 'do.1.notify', 'warn', 'when.all.0.cost', 'when.all.1.age', 'window.at', 'window.tz'].sort());
    expect(compilePolicy(parse('{ name: a, when: { cost: "25" }, do: stop }'), ORIGIN, FULL).policy).toBeUndefined();
  });

  it.each([
    [
      'a malformed time',
      '{ name: a, window: { every: day, at: "7:00" }, when: { cost: "> $1" }, do: stop }',
      'SCHEMA',
      ['window', 'at'],
      '"7:00" is not valid: expected a 24-hour time "HH:MM" like "00:00" or "18:30"',
    ],
    ['an unknown action', '{ name: a, when: { idle: "> 1h" }, do: [ kil ] }', 'UNKNOWN_VALUE', ['do', 0], 'unknown action "kil"; expected one of: cleanup, compact, kill, notify, pause, resume, stop'],
    [
      'burn with both',
      '{ name: a, when: { burn: { tokens: "> 20k", cost: "> $1", per: 1m } }, do: stop }',
      'SCHEMA',
      ['when', 'burn'],
      'expected exactly one of tokens or cost, and per, e.g. { tokens: "> 20k", per: 1m }, found a map',
    ],
    [
      'a state of the wrong type',
      '{ name: a, when: { state: 5 }, do: stop }',
      'SCHEMA',
      ['when', 'state'],
      '5 does not match any accepted form; expected one of: running, idle, stopped, paused, held, killed, archived, an array',
    ],
    [
      'an unknown window key',
      '{ name: a, window: { every: day, tz: UTC, zone: UTC }, when: { cost: "> $1" }, do: stop }',
      'UNKNOWN_KEY',
      ['window', 'zone'],
      'unknown window key "zone"; expected one of: every, at, tz',
    ],
  ])('%s is reported once, as the schema says it, with its code', (_name, yaml, code, path, message) => {
    expect(problems(yaml)).toEqual([expect.objectContaining({ code, path, message })]);
  });

  it('lists the allowed names with unknown keys so a loader can suggest the closest', () => {
    const [hit] = problems('{ name: a, when: { idel: "> 1h" }, do: stop }');
    expect(hit!.allowed).toContain('idle');
    expect(hit!.allowed).toContain('all');
  });
});

describe('policySchema', () => {
  const validate = schemaValidator();
  it.each([
    ['unknown top-level key', { name: 'a', when: { idle: '> 1h' }, do: 'stop', cooldwn: '5m' }, '', 'additionalProperties'],
    ['unknown when key', { name: 'a', when: { idel: '> 1h' }, do: 'stop' }, '/when', 'additionalProperties'],
    ['unknown nested when key', { name: 'a', when: { all: [{ cost: '> $1' }, { tokns: 1 }] }, do: 'stop' }, '/when/all/1', 'additionalProperties'],
    ['unknown bare action', { name: 'a', when: { idle: '> 1h' }, do: ['kil'] }, '/do/0', 'enum'],
    ['two keys in one action', { name: 'a', when: { idle: '> 1h' }, do: [{ notify: 'x', cleanup: 'archive' }] }, '/do/0', 'maxProperties'],
    ['bad scope', { name: 'a', scope: 'team', when: { idle: '> 1h' }, do: 'stop' }, '/scope', 'enum'],
    ['missing do', { name: 'a', when: { idle: '> 1h' } }, '', 'required'],
  ])('%s is rejected at %s', (_name, raw, instancePath, keyword) => {
    expect(validate(raw)).toBe(false);
    expect(
      validate.errors!.some((e) => e.instancePath === instancePath && e.keyword === keyword),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it('enumerates every when key (for typo suggestions)', () => {
    const schema = (validate.schema as { definitions: { when: { properties: Record<string, unknown> } } }).definitions.when;
    expect(Object.keys(schema.properties).sort()).toEqual([
      'active',
      'age',
      'all',
      'any',
      'burn',
      'cost',
      'idle',
      'idle.human',
      'not',
      'ratio.input_output',
      'runtime',
      'state',
      'tokens.cache',
      'tokens.input',
      'tokens.output',
      'tokens.total',
    ]);
  });
});
