import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/types.js';
import { DEMO_CAST } from '../../src/sources/demo/index.js';
import { actions, startWorld, type DaemonWorld } from './harness.js';

let world: DaemonWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('one failing policy never takes the rest down', () => {
  it('skips it, counts it every time, journals it once, and says when it evaluates again', async () => {
    world = await startWorld(`
sources: [{ name: demo, type: demo }]
schedule: "0 0 1 1 *"
safety: { maxActionsPerSweep: 50, protect: ["agent:*:main"] }
policies:
  - name: fragile
    when: { tokens.total: "> 10M" }
    do: [stop]
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [stop]
`);
    const [fragile, cap] = world.config.policies as [Policy, Policy];
    let broken = true;
    const condition = {
      ...fragile.condition,
      holds: undefined,
      evaluate: (c: Parameters<Policy['condition']['evaluate']>[0]) => {
        if (broken) throw new TypeError('cannot read the measure');
        return fragile.condition.evaluate(c);
      },
    };
    await world.daemon.reload({ ...world.config, policies: [{ ...fragile, condition }, cap] });
    await world.daemon.sweep();
    const entries = await world.journal();
    expect(actions(entries)).toContain(`cap stop ${DEMO_CAST.runaway} done`);
    const failures = entries.filter((e) => e.type === 'refusal' && e.policy === 'fragile');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toMatch(/^policy fragile failed while evaluating session .+ and was skipped \(the other policies went on\): cannot read the measure$/);
    const metrics = await world.metrics.render();
    expect(Number(/clawwarden_policy_errors_total\{policy="fragile"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/clawwarden_policy_errors_total\{policy="cap"\} 0/);
    broken = false;
    await world.daemon.sweep();
    expect((await world.journal()).some((e) => e.type === 'config' && e.reason === 'policy fragile evaluates again')).toBe(true);
  });
});
