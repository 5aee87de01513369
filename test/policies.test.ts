import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { actionModules } from '../src/actions/index.js';
import { conditionModules } from '../src/conditions/index.js';
import { formatConfigError } from '../src/config/errors.js';
import { loadConfig } from '../src/config/index.js';
import type { Config } from '../src/config/types.js';

const LIBRARY = resolve(import.meta.dirname, '..', 'policies');
const dir = mkdtempSync(join(tmpdir(), 'clawwarden-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The library loaded by a config whose source can do everything and that names the library's notifiers. */
function loadLibrary(pattern: string): { config?: Config; messages: string[] } {
  writeFileSync(
    join(dir, 'clawwarden.yaml'),
    `sources:
  - name: demo
    type: demo
notifiers:
  ops-chat: { type: webhook, url: "https://hooks.example.com/x", format: slack }
  ops-email: { type: email, smtp: { host: 127.0.0.1, port: 25 }, from: warden@example.com, to: [ops@example.com] }
safety:
  protect: ["agent:*:main"]
policies: ${JSON.stringify(pattern)}
`,
  );
  const { config, errors } = loadConfig({ file: join(dir, 'clawwarden.yaml'), cwd: dir, env: {} });
  return { ...(config ? { config } : {}), messages: errors.map(formatConfigError) };
}

const files = readdirSync(LIBRARY)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('policies/ library', () => {
  test.each(files)('%s validates and compiles', (file) => {
    const { config, messages } = loadLibrary(join(LIBRARY, file));
    expect(messages).toEqual([]);
    expect(config!.policies.length).toBeGreaterThan(0);
    for (const policy of config!.policies) expect(policy.origin.file).toBe(join(LIBRARY, file));
  });

  test('together they are consistent (no duplicate names) and cover every condition, action, scope and window', () => {
    const { config, messages } = loadLibrary(join(LIBRARY, '*.yaml'));
    expect(messages).toEqual([]);
    const policies = config!.policies;
    const conditions = new Set<string>();
    const combinators = new Set<string>();
    const comparisons = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'all' || key === 'any' || key === 'not') {
          combinators.add(key);
          walk(value);
          continue;
        }
        conditions.add(key);
        const text = typeof value === 'string' ? value : key === 'burn' ? Object.values(value as object).join(' ') : '';
        const op = /^(>=|<=|==|>|<)/.exec(text.trim());
        if (op) comparisons.add(op[1]!);
      }
    };
    for (const p of policies) walk(p.raw['when']);
    expect([...conditions].sort()).toEqual(conditionModules.map((m) => m.name).sort());
    expect([...combinators].sort()).toEqual(['all', 'any', 'not']);
    expect([...comparisons].sort()).toEqual(['<', '<=', '==', '>', '>=']);

    const actions = new Set(policies.flatMap((p) => [...p.actions, ...p.escalate.flatMap((s) => s.actions)]).map((a) => (a.action === 'cleanup' ? `cleanup:${a.cleanup}` : a.action)));
    const expected = actionModules.flatMap((m) => (m.name === 'cleanup' ? ['cleanup:archive', 'cleanup:delete'] : [m.name]));
    expect([...actions].sort()).toEqual(expected.sort());

    expect(new Set(policies.map((p) => p.scope))).toEqual(new Set(['session', 'agent', 'fleet']));
    expect(new Set(policies.flatMap((p) => (p.window ? [p.window.every] : [])))).toEqual(new Set(['day', 'week', 'month']));
    expect(policies.some((p) => p.mode === 'dry-run')).toBe(true);
    expect(policies.some((p) => p.warn !== undefined && p.escalate.length === 0)).toBe(true);
    expect(policies.some((p) => p.escalate.length >= 2 && p.cooldown !== undefined)).toBe(true);
    expect(policies.some((p) => p.allowProtected)).toBe(true);
  });
});
