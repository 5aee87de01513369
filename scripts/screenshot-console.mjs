#!/usr/bin/env node
// Takes docs/console.png: the console of a fresh `clawwarden run --demo` (what `npm start` shows), after its storyline's
// first runaway was caught. Needs a build (npm run build) and Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
// Usage: node scripts/screenshot-console.mjs [OUT.png] [SECONDS-TO-WAIT]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(ROOT, 'docs', 'console.png');
const waitSeconds = Number(process.argv[3] ?? 32);
const state = mkdtempSync(join(tmpdir(), 'clawwarden-screenshot-'));
const daemon = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', '--demo', '--listen', '127.0.0.1:0', '--state-dir', state, '--log-level', 'warn'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let banner = '';
daemon.stderr.on('data', (chunk) => (banner += chunk));
try {
  const started = Date.now();
  while (!/Console: +http:\/\/\S+/.test(banner)) {
    if (daemon.exitCode !== null || Date.now() - started > 60_000) throw new Error(`the demo did not start:\n${banner}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /Console: +(http:\/\/\S+)/.exec(banner)[1];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    await page.goto(url);
    await page.locator('#cards .card').first().waitFor({ timeout: 20_000 });
    // Let the storyline play: a new runaway starts at 20 s and is stopped a few seconds later.
    await page.waitForTimeout(Math.max(0, waitSeconds * 1000 - (Date.now() - started)));
    await page.screenshot({ path: out });
    console.log(`wrote ${out} (${url}, ${Math.round((Date.now() - started) / 1000)} s after start)`);
  } finally {
    await browser.close();
  }
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  rmSync(state, { recursive: true, force: true });
}
