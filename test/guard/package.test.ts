import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUARD_VERSION } from '../../guard/src/version.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const json = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(resolve(ROOT, path), 'utf8')) as Record<string, unknown>;

describe('the guard package', () => {
  it("is versioned with clawwarden: guard/package.json, the guard's own version and the root package.json agree", async () => {
    const root = await json('package.json');
    const guard = await json('guard/package.json');
    expect(guard['version']).toBe(root['version']);
    expect(GUARD_VERSION).toBe(root['version']);
  });

  it('keeps one wire contract: src/guard/protocol.ts is a copy of guard/src/protocol.ts', async () => {
    const daemonSide = await readFile(resolve(ROOT, 'src/guard/protocol.ts'), 'utf8');
    const guardSide = await readFile(resolve(ROOT, 'guard/src/protocol.ts'), 'utf8');
    expect(daemonSide).toBe(guardSide);
  });

  it('declares the plugin id, entry and OpenClaw compatibility where OpenClaw reads them', async () => {
    const manifest = await json('guard/openclaw.plugin.json');
    const pkg = await json('guard/package.json');
    expect(manifest['id']).toBe('clawwarden-guard');
    expect(pkg['openclaw']).toMatchObject({ extensions: ['./dist/index.js'], compat: { pluginApi: '>=2026.9.6' } });
    const schema = manifest['configSchema'] as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(['failMode', 'reconnect', 'source', 'token', 'tokenFile', 'url']);
    expect(schema.required).toEqual(['url', 'source']);
  });

  it('is shipped in the clawwarden package', async () => {
    const files = (await json('package.json'))['files'] as string[];
    expect(files).toEqual(expect.arrayContaining(['guard/dist', 'guard/openclaw.plugin.json', 'guard/package.json', 'guard/README.md']));
  });
});
