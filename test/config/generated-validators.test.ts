import type { ValidateFunction } from 'ajv';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, test } from 'vitest';
import { parse } from 'yaml';
import { builtinRegistries } from '../../src/config/index.js';
import { configSchema } from '../../src/config/schema.js';
import { CONFIG_AJV_OPTIONS, configValidator } from '../../src/config/validators.js';
import { loadConfigWith } from '../../src/config/config-file.js';
import { POLICY_AJV_OPTIONS, policySchema } from '../../src/policy/schema.js';
import { compileNow, precompiledOrCompile, schemaFingerprint } from '../../src/schema/precompiled.js';
import { cases } from './code-cases.js';
import { testRegistries, workspace } from './fixture.js';

// The build generates the validators into dist (`npm test` builds first); the loaders there load them with require(),
// so this file does too: the same module instances the built code uses.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GENERATED = { config: join(ROOT, 'dist', 'config', 'config-schema.generated.js'), policy: join(ROOT, 'dist', 'policy', 'policy-schema.generated.js') };
const require = createRequire(import.meta.url);
const generated = (file: string): { fingerprint: string; validate: ValidateFunction } => {
  if (!existsSync(file)) throw new Error(`${file} is missing: build first (node scripts/build-if-changed.mjs)`);
  return require(file) as { fingerprint: string; validate: ValidateFunction };
};
type ConfigModule = typeof import('../../src/config/index.js');
type ValidatorsModule = typeof import('../../src/config/validators.js');
type LoaderModule = typeof import('../../src/config/config-file.js');
const dist = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;

// The code table's configs with built-in source types in place of the test ones (`full` can do anything, so can openclaw).
const builtinText = (text: string): string => text.replaceAll('type: full', 'type: openclaw').replaceAll('type: stoponly', 'type: demo');
const bad = Object.entries(cases).flatMap(([code, c]) => {
  const text = c.files['clawwarden.yaml'];
  return text === undefined ? [] : [{ code, text: builtinText(text), files: Object.fromEntries(Object.entries(c.files).map(([f, t]) => [f, builtinText(t)])), env: c.env ?? {} }];
});
const parsed = bad.flatMap(({ code, text }) => {
  try {
    return [{ code, data: parse(text) as unknown }];
  } catch {
    return [];
  }
});
// Beyond the table: wrong types, enums, bounds and unknown keys in every part a built-in plugin's schema shapes.
parsed.push(
  {
    code: 'plugins',
    data: parse(
      'sources:\n  - { name: a, type: demo, seed: -1, speed: 0, story: maybe, extra: 1 }\n  - { name: b, type: nope }\nnotifiers:\n  x: { type: webhook, format: xml, url: 3 }\n  y: { type: email }\n',
    ) as unknown,
  },
  { code: 'shapes', data: parse('sources: []\nmode: on\nhttp: { maxConnections: 0, corsOrigins: [1] }\njournal: { keep: -1 }\nhistory: { retention: soon }\nlogLevel: loud\nguard: 1\n') as unknown },
);
const policies = parsed.flatMap(({ code, data }) => {
  const list = (data as { policies?: unknown } | null)?.policies;
  return Array.isArray(list) ? list.map((p: unknown) => ({ code, data: p })) : [];
});
policies.push(
  {
    code: 'policy shapes',
    data: { name: '-x', when: { any: [{ burn: { tokens: 1, cost: 2 } }, { nope: 1 }] }, do: [{ notify: 3 }, 'explode'], escalate: [], window: { every: 'year', at: '25:00' }, warn: true },
  },
  {
    code: 'wrong types',
    data: { name: 5, description: 1, match: { agent: 2 }, when: 'always', do: { stop: 1 }, cooldown: 30, scope: 1, mode: 'sometimes', allowProtected: 'yes', hard: 1, tree: 'no', x: 1 },
  },
  { code: 'not a map', data: ['stop'] },
);

/** Both validators on their own copy of `data`: the same verdict, the same errors, the same data afterwards (defaults). */
function expectSame(runtime: ValidateFunction, pre: ValidateFunction, data: unknown): void {
  const [a, b] = [structuredClone(data), structuredClone(data)];
  const [okA, okB] = [runtime(a), pre(b)];
  expect({ ok: okB, errors: pre.errors, data: b }).toEqual({ ok: okA, errors: runtime.errors, data: a });
}

describe('the validators generated at build time', () => {
  it('were generated from the schemas in src (a stale dist fails here: rebuild)', () => {
    expect(generated(GENERATED.config).fingerprint).toBe(schemaFingerprint(configSchema(builtinRegistries()), CONFIG_AJV_OPTIONS));
    expect(generated(GENERATED.policy).fingerprint).toBe(schemaFingerprint(policySchema(), POLICY_AJV_OPTIONS));
  });

  it('are what the built loaders use for the built-in registries', async () => {
    const { builtinRegistries: builtin } = await dist<ConfigModule>('config/index.js');
    const { configValidator: built } = await dist<ValidatorsModule>('config/validators.js');
    expect(built(builtin())).toBe(generated(GENERATED.config).validate);
    const { policyValidator } = await dist<typeof import('../../src/policy/schema.js')>('policy/schema.js');
    expect(policyValidator()).toBe(generated(GENERATED.policy).validate);
  });

  const runtimeConfig = compileNow(configSchema(builtinRegistries()), CONFIG_AJV_OPTIONS);
  test.each(parsed)('config $code: the same errors and defaults as compiled at load', ({ data }) => {
    expectSame(runtimeConfig, generated(GENERATED.config).validate, data);
  });

  const runtimePolicy = compileNow(policySchema(), POLICY_AJV_OPTIONS);
  test.each(policies)('policy of $code: the same errors as compiled at load', ({ data }) => {
    expectSame(runtimePolicy, generated(GENERATED.policy).validate, data);
  });

  // The whole load, built (generated validators) against src (run from src there are none: compiled at load).
  test.each(bad)('loading $code: the same errors and warnings', async ({ files, env }) => {
    const { loadConfigWith: builtLoad } = await dist<LoaderModule>('config/config-file.js');
    const { builtinRegistries: builtin } = await dist<ConfigModule>('config/index.js');
    const dir = workspace(files);
    const options = { cwd: dir, env, file: 'clawwarden.yaml' };
    const pre = builtLoad(builtin(), options);
    const runtime = loadConfigWith(builtinRegistries(), options);
    expect({ errors: pre.errors, warnings: pre.warnings, loaded: pre.config !== undefined }).toEqual({ errors: runtime.errors, warnings: runtime.warnings, loaded: runtime.config !== undefined });
  });
});

describe('precompiledOrCompile', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'clawwarden-generated-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  // Accepts anything: used by mistake, `{}` would pass.
  const fake = (name: string, fingerprint: string): URL => {
    const file = join(scratch, name);
    writeFileSync(file, `export const fingerprint = ${JSON.stringify(fingerprint)};\nexport const validate = () => true;\n`);
    return pathToFileURL(file);
  };

  it('uses a generated validator whose fingerprint is the schema’s', () => {
    const notes: string[] = [];
    const validate = precompiledOrCompile('policy', policySchema(), POLICY_AJV_OPTIONS, fake('fresh.mjs', schemaFingerprint(policySchema(), POLICY_AJV_OPTIONS)), (...a) => notes.push(a.join(' ')));
    expect(validate({})).toBe(true);
    expect(notes).toEqual([expect.stringContaining('generated at build time')]);
  });

  it('never validates with a stale one: compiles at load, and says so in the debug log', () => {
    const notes: string[] = [];
    const stale = schemaFingerprint({ ...policySchema(), required: ['name'] }, POLICY_AJV_OPTIONS);
    const validate = precompiledOrCompile('policy', policySchema(), POLICY_AJV_OPTIONS, fake('stale.mjs', stale), (...a) => notes.push(a.join(' ')));
    expect(validate({})).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ missingProperty: 'when' });
    expect(notes).toEqual([expect.stringContaining('is stale')]);
  });

  it('compiles at load when there is no generated module (a run from src)', () => {
    const notes: string[] = [];
    const validate = precompiledOrCompile('policy', policySchema(), POLICY_AJV_OPTIONS, pathToFileURL(join(scratch, 'none.mjs')), (...a) => notes.push(a.join(' ')));
    expect(validate({})).toBe(false);
    expect(notes).toEqual([expect.stringContaining('no generated module')]);
  });

  it('compiles a config validator once per registries object: a reload compiles nothing', () => {
    expect(builtinRegistries()).toBe(builtinRegistries());
    expect(configValidator(testRegistries)).toBe(configValidator(testRegistries));
    expect(configValidator(builtinRegistries())).toBe(configValidator(builtinRegistries()));
    expect(configValidator({ ...testRegistries })).not.toBe(configValidator(testRegistries));
  });
});
