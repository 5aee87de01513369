import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayMissing } from '../e2e/support/gateway.js';
import { skipE2E } from '../e2e/support/world.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GATEWAY_MODULES = join(ROOT, 'test', 'e2e', 'gateway', 'node_modules');

// The guard writes out the part of OpenClaw's plugin SDK it uses (guard/src/sdk.ts) so it builds without openclaw.
// This compiles it against the installed openclaw@2026.9.6 types: each handler must be assignable to the SDK's own
// handler of that hook, the entry to OpenClawPluginDefinition, and the harness module to what the guard expects.
const CHECK = `
import type { OpenClawPluginApi, OpenClawPluginDefinition } from 'openclaw/plugin-sdk/plugin-entry';
import type * as Harness from 'openclaw/plugin-sdk/agent-harness-runtime';
import type { GuardHandlers, HarnessRuntime } from '${join(ROOT, 'guard', 'src', 'sdk.js')}';
import entry from '${join(ROOT, 'guard', 'src', 'index.js')}';
declare const api: OpenClawPluginApi;
declare const harness: typeof Harness;
const on = <K extends keyof GuardHandlers>(_name: K) => api.on<K>;
type Sdk<K extends keyof GuardHandlers> = Parameters<ReturnType<typeof on<K>>>[1];
declare const mine: GuardHandlers;
export const handlers: { [K in keyof GuardHandlers]: Sdk<K> } = mine;
export const definition: OpenClawPluginDefinition = entry;
export const runtime: HarnessRuntime = harness;
export const config: Record<string, unknown> | undefined = api.pluginConfig;
export const logger: { info: (m: string) => void; warn: (m: string) => void; error: (m: string) => void } = api.logger;
`;

describe.skipIf(skipE2E)('guard/src/sdk.ts against the OpenClaw SDK types', () => {
  it('compiles: every hook handler, the entry and the harness runtime match openclaw 2026.9.6', async () => {
    expect(gatewayMissing()).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'cw-sdk-'));
    try {
      await symlink(GATEWAY_MODULES, join(dir, 'node_modules'));
      await writeFile(join(dir, 'check.ts'), CHECK);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [join(ROOT, 'node_modules', '@types')],
          },
          files: ['check.ts'],
        }),
      );
      const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
      expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
