import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { actionModules, compileAction } from '../../src/actions/index.js';
import { ACTION_NAMES } from '../../src/sources/source.js';
import { FULL, ORIGIN, schemaValidator } from '../policy/fixtures.js';
import { compilePolicy } from '../../src/policy/index.js';

const dir = fileURLToPath(new URL('../../src/actions/', import.meta.url));

describe('action registry', () => {
  it('indexes every action module, alphabetised', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['index.ts', 'types.ts', 'compile.ts', 'simple.ts', 'notice.ts'].includes(f));
    expect(actionModules.map((m) => `${m.name}.ts`).sort()).toEqual(files.sort());
    const names = actionModules.map((m) => m.name);
    expect(names).toEqual([...names].sort());
  });

  it('every source action has a module that requires exactly that capability; notify requires none', () => {
    for (const name of ACTION_NAMES) expect(actionModules.find((m) => m.name === name)?.capability).toBe(name);
    expect(actionModules.find((m) => m.name === 'notify')?.capability).toBeUndefined();
  });

  it.each(actionModules.map((m) => [m.name, m]))('%s: documented, its example passes its schema and compiles', (name, m) => {
    expect(m.description.length).toBeGreaterThan(10);
    const items = (parse(m.example) as { do: unknown[] }).do;
    const own = items.find((i) => i === name || (typeof i === 'object' && i !== null && name in i));
    const validate = new Ajv({ allowUnionTypes: true, strict: true }).compile(m.schema);
    expect(validate(own), JSON.stringify(validate.errors)).toBe(true);
    expect(m.parse(own).action).toBe(name);
    const policy = { name: 'example', when: { idle: '> 1h' }, do: items };
    expect(schemaValidator()(policy)).toBe(true);
    expect(compilePolicy(policy, ORIGIN, FULL).problems).toEqual([]);
  });
});

// Input the policy schema rejects never reaches compileAction: test/config/errors.test.ts pins the schema's messages for it.
describe('compileAction', () => {
  it.each([
    ['notify', { action: 'notify', notifiers: 'all' }],
    ['{ notify: ops-chat }', { action: 'notify', notifiers: ['ops-chat'] }],
    ['{ notify: [ops-chat, ops-email] }', { action: 'notify', notifiers: ['ops-chat', 'ops-email'] }],
    ['stop', { action: 'stop' }],
    ['kill', { action: 'kill' }],
    ['pause', { action: 'pause' }],
    ['resume', { action: 'resume' }],
    ['compact', { action: 'compact' }],
    ['cleanup', { action: 'cleanup', cleanup: 'archive' }],
    ['{ cleanup: archive }', { action: 'cleanup', cleanup: 'archive' }],
    ['{ cleanup: delete }', { action: 'cleanup', cleanup: 'delete' }],
    ['{ kill: null, notice: 1h }', { action: 'kill', notice: 3_600_000 }],
    ['{ cleanup: delete, notice: 2h }', { action: 'cleanup', cleanup: 'delete', notice: 7_200_000 }],
  ])('%s', (yaml, want) => {
    const item: unknown = parse(yaml);
    expect(schemaValidator()({ name: 'p', when: { idle: '> 1h' }, do: [item] })).toBe(true);
    expect(compileAction(item, ['do', 0], actionModules, FULL)).toEqual({ action: want, problems: [] });
  });

  it.each([
    ['{ notify: ops-chat, notice: 1h }', ['do', 0, 'notice'], /notify is sent at once and takes no notice/],
    ['{ kill: null, notice: 0s }', ['do', 0, 'notice'], /a notice must be longer than zero/],
    ['{ kill: null, notice: soon }', ['do', 0, 'notice'], /found "soon": expected a duration/],
    ['{ notify: [ops-chat, ops-pager] }', ['do', 0, 'notify', 1], /unknown notifier "ops-pager"/],
  ])('%s: what the schema cannot say is checked here', (yaml, path, message) => {
    const item: unknown = parse(yaml);
    expect(schemaValidator()({ name: 'p', when: { idle: '> 1h' }, do: [item] })).toBe(true);
    const { action, problems } = compileAction(item, ['do', 0], actionModules, FULL);
    expect(action).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toEqual(path);
    expect(problems[0]!.message).toMatch(message);
  });

  it('an action no configured source can perform is reported with what they can', () => {
    const { problems } = compileAction('kill', ['do', 0], actionModules, { ...FULL, capabilities: new Set(['stop' as const]) });
    expect(problems).toEqual([{ code: 'UNSUPPORTED_ACTION', path: ['do', 0], message: 'no configured source can kill; the sources can: stop (and notify)', allowed: ['notify', 'stop'] }]);
  });
});
