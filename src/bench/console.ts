import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Page } from 'playwright-core';
import { loadConfig, formatConfigError } from '../config/index.js';
import { Secret } from '../domain/secret.js';
import { startWarden } from '../daemon/warden.js';
import type { BenchRow, BenchSection } from './section.js';
import { median } from './section.js';

const SESSIONS = 1_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOADS = 3;
const UPDATES = 10;

/** The demo's cast (26 sessions) plus quiet extras to 1,000, under the demo's kind of policies and two budgets. */
function config(stateDir: string): string {
  return `sources:
  - { name: demo, type: demo, seed: 42, sessions: ${SESSIONS - 26} }
schedule: "* * * * *"
stateDir: ${JSON.stringify(stateDir)}
http: { listen: "127.0.0.1:0" }
policies:
  - { name: session-token-cap, when: { tokens.total: "> 200k" }, do: [ stop ], escalate: [ { after: 5m, if: active, do: kill } ] }
  - { name: inefficient-sessions, when: { all: [ { tokens.input: "> 50k" }, { ratio.input_output: "> 40" } ] }, do: [ pause ] }
  - { name: idle-cleanup, when: { idle: "> 24h" }, do: [ { cleanup: archive } ] }
  - { name: agent-daily-budget, scope: agent, window: { every: day, at: "00:00", tz: UTC }, when: { cost: "> $25" }, do: [ pause ] }
  - { name: fleet-daily-budget, scope: fleet, window: { every: day, at: "00:00", tz: UTC }, when: { cost: "> $400" }, do: [ notify ] }
safety: { maxActionsPerSweep: 50 }
`;
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** Evaluates `expression` in the page every 10 ms until it is non-zero, and returns that value. */
async function until(page: Page, expression: string, timeoutMs = 60_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate<number>(expression);
    if (value) return value;
    if (Date.now() > end) throw new Error(`the console did not get there in ${timeoutMs} ms: ${expression}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The console at 1,000 sessions in the real browser (Debian's Chromium): first render (navigation to the first page
 * of cards on screen) and the cost of one live update (fetch + parse of all sessions, sort and filter, the page of
 * cards updated), plus the daemon's side of the console's three reads.
 */
export const consoleBench: BenchSection = {
  name: 'console',
  async run(): Promise<BenchRow[]> {
    if (!existsSync(CHROMIUM)) throw new Error(`the console bench needs Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    const dir = await mkdtemp(join(tmpdir(), 'clawwarden-bench-console-'));
    const file = join(dir, 'clawwarden.yaml');
    await writeFile(file, config(join(dir, 'state')));
    const loaded = loadConfig({ file, cwd: dir, env: {} });
    if (!loaded.config) throw new Error(loaded.errors.map((e) => formatConfigError(e)).join('\n'));
    const warden = await startWarden(
      { ...loaded.config, http: { listen: '127.0.0.1:0', token: new Secret('bench-token-0000', 'bench'), corsOrigins: [] } },
      { log: pino({ level: 'silent' }), version: 'bench', processMetrics: false },
    );
    const base = `http://127.0.0.1:${warden.address.port}`;
    const profile = await mkdtemp(join(tmpdir(), 'clawwarden-bench-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
    });
    try {
      const daemon = warden.daemon;
      const sessions = daemon.sessions().length;
      const board: number[] = [];
      const spend: number[] = [];
      const overview: number[] = [];
      for (let i = 0; i < 5; i++) {
        let t = performance.now();
        daemon.sessions();
        board.push(performance.now() - t);
        t = performance.now();
        await daemon.spend({ range: '7d', top: 8 });
        spend.push(performance.now() - t);
        t = performance.now();
        await daemon.overview({ tz: 'UTC' });
        overview.push(performance.now() - t);
      }
      const bytes = (await (await fetch(`${base}/api/v1/sessions`)).text()).length;

      const page = await context.newPage();
      const firstRender: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        await page.goto(`${base}/`);
        // Polled over the protocol: a string predicate would be eval inside the page, which the console's CSP forbids.
        firstRender.push(await until(page, `document.querySelectorAll('#cards .card').length >= 48 ? performance.now() : 0`));
      }
      await until(page, `document.getElementById('spend-chart').uplot ? 1 : 0`);
      // One update as the console makes it on a live event, timed inside the page with its own modules.
      const update = await page.evaluate<{ total: number[]; render: number[] }>(`(async () => {
        const { arrange, page } = await import('/board.js');
        const { createCard, updateCard } = await import('/cards.js');
        const cards = new Map();
        const times = { total: [], render: [] };
        for (let i = 0; i < ${UPDATES}; i++) {
          const t0 = performance.now();
          const body = await (await fetch('/api/v1/sessions')).json();
          const t1 = performance.now();
          const shown = page(arrange(body.sessions, { sort: 'risk' }), 0);
          for (const view of shown.items) {
            let card = cards.get(view.session.key);
            if (!card) cards.set(view.session.key, (card = createCard(view.session.key, () => {}, () => {})));
            updateCard(card, view, Date.now(), false);
          }
          const t2 = performance.now();
          times.total.push(t2 - t0);
          times.render.push(t2 - t1);
        }
        return times;
      })()`);
      return [
        { section: 'console', case: `first render, ${sessions} sessions: page load to the first 48 cards (median of ${LOADS})`, measured: ms(median(firstRender)), target: '-' },
        { section: 'console', case: `live update, ${sessions} sessions: fetch + parse all, sort by risk, update 48 cards (median of ${UPDATES})`, measured: ms(median(update.total)), target: '-' },
        { section: 'console', case: `live update without the fetch: sort ${sessions} by risk + update 48 cards`, measured: ms(median(update.render)), target: '-' },
        { section: 'console', case: `GET /api/v1/sessions at ${sessions} sessions: daemon time / body`, measured: `${ms(median(board))} / ${(bytes / 1024).toFixed(0)} KiB`, target: '-' },
        { section: 'console', case: `GET /api/v1/spend?range=7d / GET /api/v1/overview: daemon time`, measured: `${ms(median(spend))} / ${ms(median(overview))}`, target: '-' },
      ];
    } finally {
      await context.close().catch(() => {});
      await warden.close();
      await rm(profile, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  },
};
