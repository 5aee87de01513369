import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { notifierModules } from '../../src/notifiers/index.js';
import { policyLanguage } from '../../src/policy/index.js';
import type { Registries } from '../../src/config/schema.js';
import type { ActionName, Source, SourceModule } from '../../src/sources/source.js';
import { loadConfigWith, type LoadOptions } from '../../src/config/config-file.js';
import type { LoadResult } from '../../src/config/interpret.js';
import { formatConfigError } from '../../src/config/errors.js';

function fakeSource(name: string, capabilities: readonly ActionName[]): SourceModule {
  return {
    name,
    description: `test source ${name}`,
    capabilities,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { url: { type: 'string' }, token: { type: 'string' }, discover: { type: 'boolean' }, retries: { type: 'integer', minimum: 0, default: 3 } },
    },
    example: `sources:\n  - name: a\n    type: ${name}\n`,
    create: (): Source => {
      throw new Error('not used in config tests');
    },
  };
}

/** Real policy language and notifiers; two fake sources: `full` (every action) and `stoponly`. */
export const testRegistries: Registries = {
  sources: [fakeSource('full', ['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact']), fakeSource('stoponly', ['stop'])],
  notifiers: Object.values(notifierModules),
  policy: policyLanguage(),
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp directory holding `files` (path → text); removed after the test. */
export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clawwarden-config-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Loads `clawwarden.yaml` from a workspace of `files` with the test registries. */
export function load(files: Record<string, string>, options: Partial<LoadOptions> = {}): LoadResult & { dir: string; messages: string[] } {
  const dir = workspace(files);
  const result = loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'clawwarden.yaml', ...options });
  return { ...result, dir, messages: result.errors.map(formatConfigError) };
}
