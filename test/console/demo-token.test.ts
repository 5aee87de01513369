import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/run/args.js';
import { runToken, withRunOverrides } from '../../src/cli/run/overrides.js';
import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/types.js';
import { startWarden, type Warden } from '../../src/daemon/warden.js';
import { RUN_BROWSER_TESTS, card, launchChromium, openConsole } from './chromium.js';
import { ifAssigned } from '../if-assigned.js';

const KEY = 'agent:docs:api-reference';

/** The daemon exactly as `clawwarden run --demo` configures it (storyline, generated token), on an OS-chosen port. */
async function demoWarden(argv: string[], dir: string, strip = false): Promise<{ warden: Warden; base: string; token?: string }> {
  const loaded = loadConfig({ demo: true, cwd: dir, env: {} }).config!;
  const args = parseRunArgs(['--demo', '--listen', '127.0.0.1:0', '--state-dir', join(dir, argv.join('') || 'state'), ...argv]);
  const token = runToken(args, loaded, {});
  let config: Config = withRunOverrides(loaded, args, token);
  if (strip) config = { ...config, http: { listen: config.http.listen, corsOrigins: [] } };
  const warden = await startWarden(config, { log: pino({ level: 'silent' }), version: 'console-test', processMetrics: false });
  return { warden, base: `http://127.0.0.1:${warden.address.port}`, ...(strip || !token.secret ? {} : { token: token.secret.reveal() }) };
}

describe.runIf(RUN_BROWSER_TESTS)('console on the demo: the token is findable and a refused one is forgotten', () => {
  let dir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let demo: Awaited<ReturnType<typeof demoWarden>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cw-console-demo-'));
    demo = await demoWarden([], dir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await ifAssigned(browser)?.close();
    await ifAssigned(demo)?.warden.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says where the demo token is, forgets a wrong one, and works with the printed one', async () => {
    const { page, errors } = await openConsole(browser.context, demo.base);
    const target = card(page, KEY);
    await target.getByRole('button', { name: `Pause session ${KEY}` }).click();
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await expect.poll(() => dialog.textContent()).toContain('This is the demo: its API token is printed in the terminal where npm start');
    await page.getByLabel('Token', { exact: true }).fill('not-the-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    const message = page.getByRole('alert');
    await expect.poll(() => message.textContent()).toContain('refused (HTTP 401)');
    expect(await message.textContent()).toContain('The token is forgotten; the next action asks for it again. This is the demo');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    await target.getByRole('button', { name: `Pause session ${KEY}` }).click();
    await page.getByLabel('Token', { exact: true }).fill(demo.token!);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => target.getAttribute('data-state')).toBe('paused');
    await target.getByRole('button', { name: `Resume session ${KEY}` }).click();
    await expect.poll(() => target.getAttribute('data-state')).not.toBe('paused');
    // The browser reports the refused request itself; nothing else may go wrong on the page.
    expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
    await page.close();
  });

  it('forgets a token the server refuses with 403 (writes disabled)', async () => {
    const bare = await demoWarden(['--api-token', 'ignored-by-strip'], dir, true);
    try {
      const { page } = await openConsole(browser.context, bare.base);
      await card(page, KEY)
        .getByRole('button', { name: `Pause session ${KEY}` })
        .click();
      await page.getByLabel('Token', { exact: true }).fill('some-token-123');
      await page.getByRole('button', { name: 'Use token' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused (HTTP 403)');
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
      expect(await page.getByRole('button', { name: 'Set API token' }).isVisible()).toBe(true);
      await page.close();
    } finally {
      await bare.warden.close();
    }
  });
});
