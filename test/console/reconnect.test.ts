import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_BROWSER_TESTS, launchChromium, openConsole } from './chromium.js';
import { startDemoWarden } from './warden.js';
import { ifAssigned } from '../if-assigned.js';

/** A browser closes an EventSource for good on a 503 (TOO_MANY_STREAMS); the console opens it anew after a pause. */
describe.runIf(RUN_BROWSER_TESTS)('console event stream after a refusal', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    warden = await startDemoWarden(undefined, { maxEventStreams: 1 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await ifAssigned(browser)?.close();
    await ifAssigned(warden)?.close();
  });

  it('goes live again once a stream slot is free', async () => {
    const first = await openConsole(browser.context, warden.base);
    await expect.poll(() => first.page.locator('#live').textContent(), { timeout: 10_000 }).toBe('live');
    const second = await openConsole(browser.context, warden.base);
    // Refused with 503: the browser's EventSource is CLOSED, and the console says it is reconnecting.
    await expect.poll(() => second.page.locator('#live').textContent(), { timeout: 10_000 }).toBe('reconnecting…');
    await first.page.close();
    await expect.poll(() => second.page.locator('#live').textContent(), { timeout: 20_000 }).toBe('live');
    expect(second.errors.filter((e) => !e.includes('503'))).toEqual([]);
    await second.page.close();
  }, 60_000);
});
