import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startWarden, type InProcessWarden } from '../e2e/support/daemon.js';
import { eventually } from '../e2e/support/operator.js';
import { skipE2E, useWorld } from '../e2e/support/world.js';
import { ARTIFACTS, RUN_BROWSER_TESTS, card, launchChromium, openConsole } from './chromium.js';
import { ifAssigned } from '../if-assigned.js';

/** The console on the daemon watching a real OpenClaw gateway: a button press must reach the platform. */
describe.skipIf(skipE2E || !RUN_BROWSER_TESTS)('web console in Chromium on a real OpenClaw gateway', () => {
  const world = useWorld();
  let warden: InProcessWarden;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    warden = await startWarden(
      {
        gatewayUrl: world.gateway.url,
        // A cap nobody reaches: the test is about the operator's buttons, not about policies.
        policies: `  - name: console-cap
    when: { tokens.total: "> 100M" }
    do: [ stop ]`,
      },
      world.gateway.token,
    );
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await ifAssigned(browser)?.close();
    await ifAssigned(warden)?.close();
  });

  it('Pause on a card makes the gateway refuse new work, and Resume lets it in again', async () => {
    const { key } = await world.operator.create('console-pause', 'hello MODE:quick ID:console-pause');
    await world.model.waitForCalls('console-pause', 1, 60_000);
    const { page, errors } = await openConsole(browser.context, warden.base);
    const target = card(page, key);
    await target.waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Set API token' }).click();
    await page.getByLabel('Token', { exact: true }).fill(API_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();

    await target.getByRole('button', { name: `Pause session ${key}` }).click();
    await expect.poll(() => target.getAttribute('data-state'), { timeout: 15_000 }).toBe('paused');
    await page.screenshot({ path: join(ARTIFACTS, 'gateway-paused.png'), fullPage: true });
    // The gateway itself now says no to new work on that session.
    await expect(world.operator.send(key, 'more work MODE:quick ID:console-pause')).rejects.toThrow(/archived/i);

    await target.getByRole('button', { name: `Resume session ${key}` }).click();
    await expect.poll(() => target.getAttribute('data-state'), { timeout: 15_000 }).not.toBe('paused');
    const calls = world.model.calls('console-pause').length;
    await world.operator.send(key, 'more work MODE:quick ID:console-pause');
    await eventually('a model call after resume', () => (world.model.calls('console-pause').length > calls ? true : undefined), 60_000);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});
