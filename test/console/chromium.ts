import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether the browser tests run: always under CI (where a missing Chromium must fail them), else only when installed. */
export const RUN_BROWSER_TESTS = existsSync(CHROMIUM_PATH) || Boolean(process.env.CI);
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');

/** A headless Chromium with a fresh profile; `pages` records every request that left for another origin. */
export async function launchChromium(): Promise<{ context: BrowserContext; foreignRequests: string[]; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH; browser tests never skip under CI`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), 'clawwarden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const foreignRequests: string[] = [];
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (url.hostname !== '127.0.0.1' && url.protocol !== 'data:') foreignRequests.push(req.url());
  });
  return {
    context,
    foreignRequests,
    close: async () => {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens the console and waits for its first cards. */
export async function openConsole(context: BrowserContext, base: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(`${base}/`);
  await page
    .locator('#cards .card')
    .first()
    .waitFor({ timeout: 20_000 })
    .catch((err: unknown) => {
      throw new Error(`the console showed no cards: ${(err as Error).message}; page errors: ${JSON.stringify(errors)}`, { cause: err });
    });
  return { page, errors };
}

/** The locator of one session's card. */
export function card(page: Page, key: string) {
  return page.locator(`#cards .card[data-key="${key.replaceAll('"', '\\"')}"]`);
}
