import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The guard folder as shipped (what install-guard writes into openclaw.json). */
export const GUARD_DIR = join(ROOT, 'guard');

const newest = (dir: string): number => Math.max(...readdirSync(dir).map((n) => statSync(join(dir, n)).mtimeMs));

/** Builds guard/dist when it is missing or older than guard/src (tests and benches load the built plugin). */
export function ensureGuardBuilt(): void {
  const entry = join(GUARD_DIR, 'dist', 'index.js');
  if (existsSync(entry) && newest(join(GUARD_DIR, 'dist')) >= newest(join(GUARD_DIR, 'src'))) return;
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(GUARD_DIR, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`building the guard failed:\n${tsc.stdout}${tsc.stderr}`);
}
