import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Secret } from '../../src/domain/secret.js';
import { createNotifiers, notifierModules } from '../../src/notifiers/index.js';
import { DEFAULT_RATE_LIMIT } from '../../src/notifiers/rate-limit.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const modules = Object.entries(notifierModules);

describe('notifier index', () => {
  it('lists every notifier module of src/notifiers, alphabetised, under its own name', () => {
    const dir = fileURLToPath(new URL('../../src/notifiers/', import.meta.url));
    // Everything else in the folder is the queue and its parts; a new plugin file must appear in the index.
    const infrastructure = ['delivery-record', 'errors', 'index', 'messages', 'queue', 'rate-limit', 'secret-option', 'types'];
    const plugins = readdirSync(dir)
      .map((f) => f.replace(/\.ts$/, ''))
      .filter((f) => !infrastructure.includes(f));
    expect(Object.keys(notifierModules)).toEqual(plugins.sort());
    for (const [key, module] of modules) {
      expect(module.name).toBe(key);
      expect(module.description.length).toBeGreaterThan(20);
    }
  });

  it.each(modules)('%s: every entry of its example validates against its schema', (_name, module) => {
    const validate = ajv.compile(module.schema);
    const entries = Object.values((parse(module.example) as { notifiers: Record<string, unknown> }).notifiers);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(validate(entry), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['email', { type: 'email', smtp: { host: 'h', prot: 25 }, from: 'a@b.c', to: ['x@y.z'] }, 'prot'],
    ['email', { type: 'email', smtp: { host: 'h' }, from: 'a@b.c', to: [] }, 'to'],
    ['webhook', { type: 'webhook', url: 'http://x', format: 'teams' }, 'format'],
    ['webhook', { type: 'webhook', url: 'http://x', rateLimit: { count: 5, per: 'often' } }, 'rateLimit'],
  ])('%s rejects %j', (name, entry, path) => {
    const validate = ajv.compile((notifierModules[name] as { schema: object }).schema);
    expect(validate(entry)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain(path);
  });

  it('creates notifiers with their rate limits (default when unset) and rejects unknown types', () => {
    const created = createNotifiers([
      { name: 'a', type: 'webhook', options: { url: new Secret('http://127.0.0.1/x', 'env:X'), rateLimit: { count: 5, per: '10m' } } },
      { name: 'b', type: 'email', options: { smtp: { host: '127.0.0.1' }, from: 'a@b.c', to: ['x@y.z'] } },
    ]);
    expect(created.map((c) => [c.notifier.name, c.notifier.type, c.rateLimit])).toEqual([
      ['a', 'webhook', { count: 5, perMs: 600_000 }],
      ['b', 'email', DEFAULT_RATE_LIMIT],
    ]);
    expect(() => createNotifiers([{ name: 'c', type: 'pager', options: {} }])).toThrow('notifier "c": unknown type "pager"; expected one of: email, webhook');
  });
});
