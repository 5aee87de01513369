import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { actionModules, compileActions } from '../../src/actions/index.js';
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

describe('parse', () => {
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
  ])('%s', (yaml, want) => {
    expect(compileActions([parse(yaml)], ['do'], actionModules, FULL)).toEqual({ actions: [want], problems: [] });
  });

  it('accepts a single action without a list, keeping order in lists', () => {
    expect(compileActions('kill', ['do'], actionModules, FULL).actions).toEqual([{ action: 'kill' }]);
    expect(compileActions(['notify', 'pause', 'stop'], ['do'], actionModules, FULL).actions!.map((a) => a.action)).toEqual(['notify', 'pause', 'stop']);
  });

  it.each([
    ['[ { stop: true } ]', ['do', 0], /takes no options/],
    ['[ { cleanup: shred } ]', ['do', 0, 'cleanup'], /archive or delete/],
    ['[ { notify: [] } ]', ['do', 0, 'notify'], /a notifier name or a list/],
    ['[ { notify: 5 } ]', ['do', 0, 'notify'], /a notifier name or a list/],
    ['[ { kil: x } ]', ['do', 0, 'kil'], /unknown action "kil"/],
    ['[ 42 ]', ['do', 0], /unknown action 42/],
    ['[]', ['do'], /empty action list/],
  ])('%s is rejected', (yaml, path, message) => {
    const { actions, problems } = compileActions(parse(yaml), ['do'], actionModules, FULL);
    expect(actions).toBeUndefined();
    expect(problems[0]!.path).toEqual(path);
    expect(problems[0]!.message).toMatch(message);
  });
});
