import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionModules } from '../src/actions/index.js';
import { conditionModules } from '../src/conditions/index.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { notifierModules } from '../src/notifiers/index.js';
import { sourceModules } from '../src/sources/index.js';

// A plugin or a metric family nobody can read about does not exist for an operator: every one the code registers
// must be named in the README (as ESLint checks every rule has its docs).
const README = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const mentioned = (name: string): boolean => README.includes(`\`${name}\``) || README.includes(`\`${name}:`);

describe('the README documents everything the code registers', () => {
  it.each(conditionModules.map((m) => [m.name]))('condition %s', (name) => {
    expect(mentioned(name), `condition ${name} is not in the README`).toBe(true);
  });

  it.each(actionModules.map((m) => [m.name]))('action %s', (name) => {
    expect(mentioned(name), `action ${name} is not in the README`).toBe(true);
  });

  it.each(Object.keys(notifierModules).map((n) => [n]))('notifier type %s', (name) => {
    expect(README.includes(`type: ${name}`) || README.includes(`\`${name}\``), `notifier ${name} is not in the README`).toBe(true);
  });

  it.each(sourceModules.map((m) => [m.name]))('source type %s', (name) => {
    expect(README.includes(`type: ${name}`) || README.includes(`\`${name}\``), `source ${name} is not in the README`).toBe(true);
  });

  it('every metric family', async () => {
    const text = await createMetrics({ topSessions: 1, version: 't', processMetrics: false }).render();
    const families = [...text.matchAll(/^# TYPE (clawwarden_\S+)/gm)].map((m) => m[1]!);
    expect(families.length).toBeGreaterThan(10);
    const missing = families.filter((f) => !README.includes(`\`${f}\``));
    expect(missing, 'metric families missing from the README').toEqual([]);
  });
});
