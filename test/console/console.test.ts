import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, RUN_BROWSER_TESTS, card, launchChromium, openConsole } from './chromium.js';
import { TOKEN, startDemoWarden } from './warden.js';
import { ifAssigned } from '../if-assigned.js';

const RUNAWAY = 'agent:backend:fix-flaky-tests';
const HEALTHY = 'agent:docs:api-reference';

describe.runIf(RUN_BROWSER_TESTS)('web console in Chromium on the demo fleet', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    warden = await startDemoWarden();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await ifAssigned(browser)?.close();
    await ifAssigned(warden)?.close();
    // Everything the console loaded came from clawwarden itself.
    expect(ifAssigned(browser)?.foreignRequests ?? []).toEqual([]);
  });

  const apiSession = async (key: string): Promise<{ state: string; session: { archived: boolean }; hold?: { by: string } }> => {
    const res = await fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(key)}`);
    return ((await res.json()) as { session: { state: string; session: { archived: boolean }; hold?: { by: string } } }).session;
  };
  const setToken = async (page: Page, token: string): Promise<void> => {
    await page.getByRole('button', { name: 'Set API token' }).click();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
  };

  it('renders one card per session with live numbers that change', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const api = (await (await fetch(`${warden.base}/api/v1/sessions`)).json()) as { sessions: unknown[] };
    await expect.poll(() => page.locator('#cards .card').count()).toBe(api.sessions.length);
    const runaway = card(page, RUNAWAY);
    await expect.poll(() => runaway.locator('.state').textContent()).toBe('running');
    const first = await runaway.locator('.tokens-total').textContent();
    expect(first).toMatch(/^\d{1,3}(,\d{3})+$/);
    // The runaway loop makes a model call every ~400 ms; the card follows the event stream without a reload.
    await expect.poll(() => runaway.locator('.tokens-total').textContent(), { timeout: 15_000 }).not.toBe(first);
    await expect.poll(() => page.locator('#live').textContent()).toBe('live');
    await page.screenshot({ path: join(ARTIFACTS, 'desktop.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('turns the budget bar amber at the warn level and marks it handled once the policy fired and its stop went through, with the alert', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const bar = card(page, RUNAWAY).locator('.budget[data-policy="runaway-cap"]');
    await expect.poll(() => bar.getAttribute('data-level'), { timeout: 60_000 }).not.toBe('ok');
    // The stop lands on the call that crosses the cap, so the bar goes from amber to handled (not "exceeded", which is
    // only for a policy that fires and has not been acted on).
    await expect.poll(() => bar.getAttribute('data-level'), { timeout: 90_000 }).toBe('handled');
    expect(await bar.locator('.budget-label').textContent()).toMatch(/^runaway-cap \d+% · handled$/);
    expect(await bar.locator('.budget-detail').textContent()).toMatch(/^tokens\.total [\d,]+ > 1,500,000 · acted at \d\d:\d\d$/);
    expect(await bar.locator('[role="meter"]').getAttribute('aria-valuenow')).toBe('100');
    expect(await card(page, RUNAWAY).locator('.note').textContent()).toMatch(/^Stopped by runaway-cap at \d\d:\d\d — tokens\.total [\d,]+ > 1,500,000$/);
    // The policy's stop went through: the alerts panel shows the violation and the card stops running.
    const violation = page.locator('#alerts .alert', { hasText: 'runaway-cap' }).filter({ hasText: /violation|stop/i });
    await expect.poll(() => violation.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => card(page, RUNAWAY).getAttribute('data-state'), { timeout: 15_000 }).not.toBe('running');
    await page.screenshot({ path: join(ARTIFACTS, 'budget-red.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 200_000);

  it('pauses a session from its card, and Resume undoes it', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await setToken(page, TOKEN);
    const target = card(page, HEALTHY);
    const before = await target.getAttribute('data-state');
    expect(['idle', 'running']).toContain(before);
    await target.getByRole('button', { name: `Pause session ${HEALTHY}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).toBe('paused');
    expect(await page.locator('#message-text').textContent()).toContain(`pause ${HEALTHY}: done`);
    const paused = await apiSession(HEALTHY);
    expect(paused.session.archived).toBe(true);
    expect(paused.hold?.by).toBe('console');
    expect(await target.getByRole('button', { name: `Pause session ${HEALTHY}` }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'paused.png'), fullPage: true });

    await target.getByRole('button', { name: `Resume session ${HEALTHY}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).not.toBe('paused');
    const resumed = await apiSession(HEALTHY);
    expect(resumed.session.archived).toBe(false);
    expect(resumed.hold).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a paused main session as held, since main sessions cannot be archived; a protected one asks first and is forced', async () => {
    const main = 'agent:qa:main';
    const { page, errors } = await openConsole(browser.context, warden.base);
    await setToken(page, TOKEN);
    const target = card(page, main);
    await target.getByRole('button', { name: `Pause session ${main}` }).click();
    // Main sessions are protected in this config: the console says so before sending anything.
    const dialog = page.getByRole('dialog', { name: 'Pause a protected session?' });
    expect(await dialog.textContent()).toContain(`Session ${main} is protected (safety.protect)`);
    await dialog.getByRole('button', { name: 'Pause anyway' }).click();
    await expect.poll(() => target.getAttribute('data-state')).toBe('held');
    // The card's note is the latest action from the journal: who held it and when.
    expect(await target.locator('.note').textContent()).toMatch(/^Held by console at \d\d:\d\d$/);
    const held = await apiSession(main);
    expect(held.session.archived).toBe(false);
    expect(held.hold?.by).toBe('console');
    const journal = (await (await fetch(`${warden.base}/api/v1/journal?session=${encodeURIComponent(main)}`)).json()) as {
      entries: { type: string; action?: string; by?: string; forced?: boolean }[];
    };
    expect(journal.entries.find((e) => e.type === 'action' && e.action === 'pause')).toMatchObject({ by: 'console', forced: true });
    await target.getByRole('button', { name: `Resume session ${main}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).not.toBe('held');
    await expect.poll(() => target.locator('.note').textContent()).toMatch(/^Resumed by console at \d\d:\d\d$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a wrong token with a visible message and changes nothing', async () => {
    const { page } = await openConsole(browser.context, warden.base);
    const target = card(page, HEALTHY);
    // The first write asks for the token.
    await target.getByRole('button', { name: `Pause session ${HEALTHY}` }).click();
    await page.getByLabel('Token', { exact: true }).fill('not-the-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    const message = page.getByRole('alert');
    await expect.poll(() => message.textContent()).toContain('refused (HTTP 401): the API token is wrong');
    expect(await message.isVisible()).toBe(true);
    // The bar stays in view however far down the card was.
    const box = await message.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(900);
    expect((await apiSession(HEALTHY)).session.archived).toBe(false);
    // The refused token is forgotten; the tab asks again next time.
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'wrong-token.png') });
    await page.close();
  });

  it('asks before Kill, and Cancel sends nothing', async () => {
    const { page } = await openConsole(browser.context, warden.base);
    await setToken(page, TOKEN);
    const target = card(page, HEALTHY);
    await target.getByRole('button', { name: `Kill session ${HEALTHY}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Kill session?' });
    expect(await dialog.textContent()).toContain(HEALTHY);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    const journal = (await (await fetch(`${warden.base}/api/v1/journal?session=${encodeURIComponent(HEALTHY)}`)).json()) as { entries: { action?: string }[] };
    expect(journal.entries.filter((e) => e.action === 'kill')).toEqual([]);
    expect((await apiSession(HEALTHY)).session.archived).toBe(false);
    await page.close();
  });

  it('filters by agent and state', async () => {
    // Pause one session through the API so the state filter has something to single out.
    const pause = await fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(HEALTHY)}/pause`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(pause.status).toBe(200);
    const { page } = await openConsole(browser.context, warden.base);
    const visible = page.locator('#cards .card:not([hidden])');
    await page.getByLabel('Agent', { exact: true }).selectOption('reporting');
    await expect.poll(async () => new Set(await visible.evaluateAll((els) => els.map((e) => e.getAttribute('data-agent'))))).toEqual(new Set(['reporting']));
    // Filtered-out cards are not kept in the page (1,000 sessions must stay smooth): the count is against the fleet.
    const total = ((await (await fetch(`${warden.base}/api/v1/sessions`)).json()) as { sessions: unknown[] }).sessions.length;
    expect(await page.locator('#count').textContent()).toBe(`${await visible.count()} of ${total} sessions`);
    await page.getByLabel('Agent', { exact: true }).selectOption('');
    await page.getByLabel('State', { exact: true }).selectOption('paused');
    await expect.poll(() => visible.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual([HEALTHY]);
    await page.getByLabel('Agent', { exact: true }).selectOption('reporting');
    expect(await visible.count()).toBe(0);
    expect(await page.locator('#empty').isVisible()).toBe(true);
    await fetch(`${warden.base}/api/v1/sessions/${encodeURIComponent(HEALTHY)}/resume`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    await page.close();
  });

  it('fits a 375 px phone screen without horizontal scrolling', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base, { width: 375, height: 812 });
    const widths = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    const overflowing = await page.locator('#cards .card').evaluateAll((els, width) => els.filter((e) => e.getBoundingClientRect().right > width + 0.5).length, 375);
    expect(overflowing).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
