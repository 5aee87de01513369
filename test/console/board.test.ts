import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetOverview, SpendSeries } from '../../src/http/view.js';
import { ARTIFACTS, RUN_BROWSER_TESTS, card, launchChromium, openConsole } from './chromium.js';
import { CONSOLE_FLEET_CONFIG, TOKEN, startDemoWarden } from './warden.js';
import { ifAssigned } from '../if-assigned.js';

const RUNAWAY = 'agent:backend:fix-flaky-tests';
const HEALTHY = 'agent:docs:api-reference';
const AXE = new URL('../../node_modules/axe-core/axe.min.js', import.meta.url);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core run in the page (evaluated over the protocol, so the console's CSP stays as served); serious and critical only. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(AXE, 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate<{ violations: AxeViolation[] }>(`axe.run(document, { resultTypes: ['violations'] })`);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The operator's second screen on the demo fleet with the demo's policies and a fleet budget. */
describe.runIf(RUN_BROWSER_TESTS)('console board in Chromium: risk order, notes, chart, budgets, phone, accessibility', () => {
  let warden: Awaited<ReturnType<typeof startDemoWarden>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    warden = await startDemoWarden(CONSOLE_FLEET_CONFIG);
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

  it('sorts by risk: the stopped runaway first, and the Sort control changes the order', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const keys = () => page.locator('#cards .card').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    await expect.poll(async () => (await keys())[0]).toBe(RUNAWAY);
    await page.getByLabel('Sort', { exact: true }).selectOption('agent');
    await expect.poll(async () => (await keys())[0]).toMatch(/^agent:archivist:/);
    await page.getByLabel('past a warning only').check();
    // Only sessions past a warning level or a threshold remain: the runaway, the idle one, the inefficient one, reporting's.
    await expect.poll(async () => (await keys()).length).toBeLessThan(26);
    expect(await keys()).toContain(RUNAWAY);
    expect(await keys()).not.toContain(HEALTHY);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows on the stopped card why it was stopped, and the ladder's next step with its countdown", async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const runaway = card(page, RUNAWAY);
    await expect.poll(() => runaway.locator('.note').textContent()).toMatch(/^Stopped by session-token-cap at \d\d:\d\d — tokens\.total [\d,]+ > 200,000$/);
    expect(await runaway.locator('.next').textContent()).toMatch(/^Next: kill at \d\d:\d\d if still running \(in \d+m \d\ds\) — session-token-cap step 1$/);
    const cap = runaway.locator('.budget[data-policy="session-token-cap"]');
    expect(await cap.getAttribute('data-level')).toBe('handled');
    // The `all` policy: tokens.input is far past 50k, but the ratio is not past 40, so the bar is not exceeded.
    const inefficient = runaway.locator('.budget[data-policy="inefficient-sessions"]');
    expect(await inefficient.getAttribute('data-level')).not.toMatch(/over|handled/);
    expect(await inefficient.locator('.budget-label').textContent()).toMatch(/^inefficient-sessions \d{1,2}%$/);
    expect(await inefficient.locator('.budget-detail').textContent()).toMatch(/^ratio\.input_output [\d.]+ > 40$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("plots exactly the API's spend series, stacked per agent under the fleet total, and switches range", async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const answers: SpendSeries[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/api/v1/spend')) void res.json().then((b: SpendSeries) => answers.push(b));
    });
    await page.reload();
    type Plotted = { x: number[]; series: number[][]; bands: { label: string; raw: number[]; stacked: number[] }[]; fleet: number[] };
    const plotted = (): Promise<Plotted | undefined> =>
      page.evaluate<Plotted | undefined>(
        `(() => { const h = document.getElementById('spend-chart'); return h.uplot && h.chartModel ? { x: h.uplot.data[0], series: h.uplot.data.slice(1), bands: h.chartModel.bands, fleet: h.chartModel.fleet } : undefined; })()`,
      );
    const matches = async (): Promise<boolean> => {
      const chart = await plotted();
      const api = answers.at(-1);
      if (!chart || !api) return false;
      expect(chart.x).toEqual(api.times.map((t) => t / 1000));
      expect(chart.fleet).toEqual(api.fleet.cost);
      expect(chart.bands.slice(0, api.agents.length).map((b) => [b.label, b.raw])).toEqual(api.agents.map((a) => [a.agent, a.cost]));
      // uPlot's own data: the bands top-down (stacked sums), then the fleet's series as served.
      const stacked = [...chart.bands].reverse().map((b) => b.stacked);
      expect(chart.series.slice(0, stacked.length)).toEqual(stacked);
      expect(chart.series[stacked.length]).toEqual(api.fleet.cost);
      const top = chart.bands.at(-1)!.stacked;
      top.forEach((v, i) => expect(v).toBeCloseTo(api.fleet.cost[i]!, 5));
      return true;
    };
    await expect.poll(matches, { timeout: 20_000 }).toBe(true);
    expect(answers.at(-1)!.times).toHaveLength(60);
    await page.getByRole('button', { name: '24 h' }).click();
    expect(await page.getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await plotted())?.x.length, { timeout: 20_000 }).toBe(96);
    await expect.poll(matches, { timeout: 20_000 }).toBe(true);
    expect(await page.locator('#chart-legend').textContent()).toContain('agent-daily-budget pace (per agent)');
    await page
      .locator('#spend-panel, #panel-spend')
      .first()
      .screenshot({ path: join(ARTIFACTS, 'chart.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a budget row per agent with the agent's spend in its window", async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    const row = page.locator('#budget-rows tr[data-subject="agent reporting"]');
    await row.waitFor();
    const overview = (await (await fetch(`${warden.base}/api/v1/overview?tz=UTC`)).json()) as FleetOverview;
    const budget = overview.budgets.find((b) => b.subject === 'agent reporting')!;
    let spent = 0;
    for (const e of warden.daemon.fleet.ledger.entries()) if (e.agent === 'reporting') spent += e.between(budget.window!.start, Date.now() + 1).cost;
    expect(await row.locator('.row-amount').textContent()).toBe(`$${spent.toFixed(2)} / $25.00`);
    expect(await row.getAttribute('data-level')).toBe('handled');
    expect(await row.locator('.row-state').textContent()).toBe('exceeded · handled');
    expect(await row.locator('.row-reset').textContent()).toMatch(/^\d+h \d\dm$|^\d+m \d\ds$/);
    expect(await page.locator('#tile-fleet').textContent()).toContain('of $400.00');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pauses a session from its card and the card, its note and the header counts change live', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await setToken(page);
    const paused = page.locator('#tile-states [data-state="paused"] .count-n');
    await paused.waitFor();
    const before = Number(await paused.textContent());
    const target = card(page, HEALTHY);
    await target.getByRole('button', { name: `Pause session ${HEALTHY}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).toBe('paused');
    await expect.poll(() => target.locator('.note').textContent()).toMatch(/^Paused by console at \d\d:\d\d$/);
    await expect.poll(async () => Number(await paused.textContent()), { timeout: 10_000 }).toBe(before + 1);
    await target.getByRole('button', { name: `Resume session ${HEALTHY}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).not.toBe('paused');
    await expect.poll(async () => Number(await paused.textContent()), { timeout: 10_000 }).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a session: its policies measured now, model calls and journal; Escape closes it', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await card(page, RUNAWAY).getByRole('button', { name: RUNAWAY, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: RUNAWAY });
    await expect.poll(() => dialog.locator('.journal-entry[data-type="action"]').count()).toBeGreaterThan(0);
    expect(await dialog.locator('.trace[data-policy="session-token-cap"]').textContent()).toMatch(/tokens\.total [\d,]+ > 200,000/);
    expect(await dialog.locator('.journal-entry[data-type="action"]').first().textContent()).toContain('stop done');
    expect(await dialog.getByRole('heading', { name: 'Model calls' }).isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'detail.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(false);
    // A daemon without the explain API answers 501 there, and the dialog shows the served verdicts instead.
    expect(errors.filter((e) => !e.includes('status of 501'))).toEqual([]);
    await page.close();
  });

  it('cleans up from the console: a preview from a dry run, protected sessions refused with the reason, then the real run', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await setToken(page);
    await page.getByRole('button', { name: 'Clean up…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clean up sessions' });
    await dialog.getByLabel('Older than').fill('1m');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const refused = dialog.locator('.outcome[data-key="agent:support:ticket-4821"]');
    await expect.poll(() => refused.getAttribute('data-status')).toBe('refused');
    expect(await refused.textContent()).toMatch(/protected/);
    expect(await dialog.locator('.outcome[data-status="would"]').count()).toBeGreaterThan(0);
    // The preview touched nothing.
    expect(await card(page, 'agent:planner:sprint-24').getAttribute('data-state')).not.toBe('archived');
    await dialog.getByLabel('Agent').selectOption('planner');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => dialog.locator('.outcome').evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-status')])))
      .toEqual([['agent:planner:sprint-24', 'would']]);
    await dialog.getByRole('button', { name: 'Archive 1 session' }).click();
    await expect.poll(() => dialog.locator('.outcome').first().getAttribute('data-status')).toBe('done');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => card(page, 'agent:planner:sprint-24').getAttribute('data-state')).toBe('archived');
    const journal = (await (await fetch(`${warden.base}/api/v1/journal?session=agent%3Aplanner%3Asprint-24`)).json()) as { entries: { type: string; action?: string; by?: string }[] };
    expect(journal.entries.find((e) => e.type === 'action' && e.action === 'cleanup')).toMatchObject({ by: 'console' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('at phone width puts the header and the alerts above the cards, with tabs for spend and budgets', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base, { width: 375, height: 812 });
    const alerts = page.locator('#panel-alerts');
    await page.locator('#alerts .alert').first().waitFor();
    const box = (await alerts.boundingBox())!;
    const firstCard = (await page.locator('#cards .card').first().boundingBox())!;
    expect(box.y).toBeLessThan(firstCard.y);
    // Visible on the first screen, without scrolling.
    expect(box.y).toBeLessThan(812);
    expect(await page.locator('#tile-burn').isVisible()).toBe(true);
    const widths = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.screenshot({ path: join(ARTIFACTS, 'board-phone.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: 'Alerts' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Spend' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('#panel-spend').isVisible()).toBe(true);
    expect(await alerts.isVisible()).toBe(false);
    await page.getByRole('tab', { name: 'Budgets' }).click();
    expect(await page.locator('#panel-budgets').isVisible()).toBe(true);
    expect(await page.locator('#panel-spend').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('has no serious or critical axe violations at desktop width', async () => {
    const { page, errors } = await openConsole(browser.context, warden.base);
    await page.locator('#budget-rows tr').first().waitFor();
    await expect.poll(() => page.evaluate(`Boolean(document.getElementById('spend-chart').uplot)`)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'board-desktop.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
