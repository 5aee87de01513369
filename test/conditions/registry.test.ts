import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { conditionModules, compileWhen } from '../../src/conditions/index.js';
import { FULL, ORIGIN, schemaValidator } from '../policy/fixtures.js';
import { compilePolicy } from '../../src/policy/index.js';

const dir = fileURLToPath(new URL('../../src/conditions/', import.meta.url));
const NOT_CONDITIONS = new Set(['index.ts', 'types.ts', 'when.ts', 'measure.ts']);

describe('condition registry', () => {
  it('indexes every condition module, alphabetised', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !NOT_CONDITIONS.has(f));
    expect(conditionModules.map((m) => `${m.name.replace(/[._]/g, '-')}.ts`).sort()).toEqual(files.sort());
    const names = conditionModules.map((m) => m.name);
    expect(names).toEqual([...names].sort());
  });

  it('has every condition of DESIGN.md §3', () => {
    expect(conditionModules.map((m) => m.name).sort()).toEqual([
      'active',
      'age',
      'burn',
      'cost',
      'idle',
      'idle.human',
      'ratio.input_output',
      'runtime',
      'state',
      'tokens.cache',
      'tokens.input',
      'tokens.output',
      'tokens.total',
    ]);
  });

  it.each(conditionModules.map((m) => [m.name, m]))('%s: documented, its example passes its schema and compiles', (name, m) => {
    expect(m.description.length).toBeGreaterThan(10);
    expect(m.scopes).toContain('session');
    const when = (parse(m.example) as { when: Record<string, unknown> }).when;
    const validateValue = new Ajv({ allowUnionTypes: true, strict: true }).compile(m.schema);
    const own = findKey(when, name);
    expect(own, `example must use ${name}`).toBeDefined();
    expect(validateValue(own), JSON.stringify(validateValue.errors)).toBe(true);
    const result = compileWhen(when, 'session', conditionModules);
    expect(result.problems).toEqual([]);
    const policy = { name: 'example', when, do: ['stop'] };
    expect(schemaValidator()(policy)).toBe(true);
    expect(compilePolicy(policy, ORIGIN, FULL).problems).toEqual([]);
  });
});

function findKey(node: unknown, key: string): unknown {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findKey(n, key);
      if (found !== undefined) return found;
    }
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) return v;
      const found = findKey(v, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
