#!/usr/bin/env node
// Times a command until http://127.0.0.1:9464/healthz (or $HEALTHZ_URL) answers, then stops it.
// Usage: node scripts/time-start.mjs [command...]   (default: npm start)
import { spawn } from 'node:child_process';

const command = process.argv.slice(2);
const [bin, ...args] = command.length > 0 ? command : ['npm', 'start'];
const url = process.env.HEALTHZ_URL ?? 'http://127.0.0.1:9464/healthz';
const started = performance.now();
// A process group of its own, so npm and the node it starts are stopped together.
const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
let seconds;
for (;;) {
  if (child.exitCode !== null) break;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(500) });
    if (res.ok) {
      seconds = (performance.now() - started) / 1000;
      break;
    }
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 50));
}
if (child.exitCode === null) process.kill(-child.pid, 'SIGINT');
const code = await exited;
if (seconds === undefined) {
  console.error(`${[bin, ...args].join(' ')} exited (${code}) before ${url} answered`);
  process.exit(1);
}
console.log(`${[bin, ...args].join(' ')}: ${url} answered after ${seconds.toFixed(2)} s`);
