#!/usr/bin/env node
// Builds dist/ with tsc, then generates the schema validators into it (scripts/generate-validators.mjs), only when
// something they are built from changed since the last successful build, so a second `npm start` goes straight to the
// daemon. `--force` always builds. Exits with the failing step's status.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
const ENTRY = join(ROOT, 'dist', 'cli', 'main.js');
const GENERATE = join(ROOT, 'scripts', 'generate-validators.mjs');
// What GENERATE writes: a build that lacks one is not fresh.
const GENERATED = [join(ROOT, 'dist', 'config', 'config-schema.generated.js'), join(ROOT, 'dist', 'policy', 'policy-schema.generated.js')];

/** The newest mtime under `dir`: files and directories both, so an added, removed or renamed file counts too. */
function newest(dir) {
  let latest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const inputs = [
  join(ROOT, 'tsconfig.json'),
  join(ROOT, 'tsconfig.build.json'),
  join(ROOT, 'guard', 'tsconfig.json'),
  join(ROOT, 'node_modules', 'typescript', 'package.json'),
  // The generated validators are ajv's code for its version.
  join(ROOT, 'node_modules', 'ajv', 'package.json'),
  GENERATE,
  fileURLToPath(import.meta.url),
];
const sourcesChanged = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'guard', 'src')), ...inputs.filter(existsSync).map((f) => statSync(f).mtimeMs));
const fresh = !process.argv.includes('--force') && [ENTRY, ...GENERATED].every(existsSync) && existsSync(STAMP) && statSync(STAMP).mtimeMs >= sourcesChanged;
if (!fresh) {
  // The stamp carries the time the build started: an edit made while tsc runs still counts as newer.
  const started = new Date();
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // The in-gateway guard plugin is built with the daemon, so a test or an install never loads a stale one.
  const guard = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'guard', 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
  if (guard.status !== 0) process.exit(guard.status ?? 1);
  const generate = spawnSync(process.execPath, [GENERATE], { cwd: ROOT, stdio: 'inherit' });
  if (generate.status !== 0) process.exit(generate.status ?? 1);
  writeFileSync(STAMP, `built ${started.toISOString()} from src/ (scripts/build-if-changed.mjs)\n`);
  utimesSync(STAMP, started, started);
}
