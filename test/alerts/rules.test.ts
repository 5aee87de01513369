import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { have, RULES, RULE_TESTS } from './tools.js';

const promtool = have('promtool');

describe.skipIf(!promtool)('alerts/clawwarden.rules.yml with promtool', () => {
  it('passes `promtool check rules`', () => {
    const run = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS: 9 rules found');
    expect(run.status).toBe(0);
  });

  it('passes its `promtool test rules` unit tests', () => {
    const run = spawnSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

describe('alert rule coverage', () => {
  const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
  const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };

  it('has a firing and a quiet unit test case for every alert', () => {
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of rules) {
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0),
        `${alert} fires in a test`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0),
        `${alert} stays quiet in a test`,
      ).toBe(true);
    }
  });

  it('uses only clawwarden metric families that the registry exposes (plus process start time)', async () => {
    const { createMetrics } = await import('../../src/metrics/metrics.js');
    const exposed = new Set([...(await createMetrics({ topSessions: 1, version: 't' }).render()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    for (const { alert, expr } of rules) {
      for (const name of expr.match(/\b(clawwarden_[a-z_]+|process_[a-z_]+)\b/g) ?? []) {
        expect(exposed.has(name), `${alert} uses ${name}`).toBe(true);
      }
    }
  });
});
