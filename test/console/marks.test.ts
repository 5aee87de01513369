import { ifAssigned } from '../if-assigned.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_BROWSER_TESTS, card, launchChromium, openConsole } from './chromium.js';
import { CONSOLE_TEST_CONFIG, TOKEN, startDemoWarden } from './warden.js';

const KEY = 'agent:archivist:weekly-digest';
const CONFIG = `${CONSOLE_TEST_CONFIG}
  - name: idle-archive
    match: { agent: archivist }
    when: { idle: "> 24h" }
    do: [ { cleanup: archive, notice: 1h } ]
`;

/** A policy's notice on the board: the Marked badge with its countdown, and Undo. */
describe.runIf(RUN_BROWSER_TESTS)('console: a marked session shows its countdown and can be undone', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    warden = await startDemoWarden(CONFIG);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await ifAssigned(browser)?.close();
    await ifAssigned(warden)?.close();
    expect(ifAssigned(browser)?.foreignRequests ?? []).toEqual([]);
  });

  const setToken = async (page: Page): Promise<void> => {
    await page.getByRole('button', { name: 'Set API token' }).click();
    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
  };

  it('shows the badge with the action, time and policy, and Undo cancels the mark', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await setToken(page);
    const marked = card(page, KEY);
    await expect.poll(() => marked.locator('.mark .mark-text').textContent()).toMatch(/^archive at \d\d:\d\d \(in (59m|1h)[^)]*\) by idle-archive unless undone$/);
    expect(await marked.getAttribute('data-marked')).toBe('true');
    await marked.getByRole('button', { name: `Undo the mark on session ${KEY}` }).click();
    await expect.poll(() => marked.getAttribute('data-marked')).toBe('false');
    expect(await marked.locator('.mark').isHidden()).toBe(true);
    const journal = (await (await fetch(`${warden.base}/api/v1/journal?session=${encodeURIComponent(KEY)}`)).json()) as { entries: { type: string; result?: string; by?: string }[] };
    expect(journal.entries).toContainEqual(expect.objectContaining({ type: 'mark', result: 'cancelled', by: 'console' }));
    expect(errors).toEqual([]);
    await page.close();
  });
});
