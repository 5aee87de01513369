import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { guardUrl } from '../../src/cli/commands/openclaw.js';
import { planInstall, planUninstall } from '../../src/guard/install.js';
import { ensureGuardBuilt, GUARD_DIR } from './build.js';

const SETTINGS = { url: 'http://127.0.0.1:9465', token: 'guard-token-0123456789abcdef', source: 'home', failMode: 'open' as const };

describe('planInstall / planUninstall', () => {
  it('adds the load path, the enabled entry with conversation access and settings, and the id to a restrictive allow list', () => {
    const plan = planInstall({ gateway: { port: 1 }, plugins: { allow: ['memory-core'], entries: { 'memory-core': { enabled: true } } } }, '/opt/cw/guard', SETTINGS);
    expect(plan.document).toEqual({
      gateway: { port: 1 },
      plugins: {
        allow: ['memory-core', 'clawwarden-guard'],
        entries: { 'memory-core': { enabled: true }, 'clawwarden-guard': { enabled: true, hooks: { allowConversationAccess: true }, config: SETTINGS } },
        load: { paths: ['/opt/cw/guard'] },
      },
    });
    expect(plan.changes.map((c) => c.path)).toEqual([
      'plugins.load.paths',
      'plugins.entries.clawwarden-guard.enabled',
      'plugins.entries.clawwarden-guard.hooks.allowConversationAccess',
      'plugins.entries.clawwarden-guard.config.url',
      'plugins.entries.clawwarden-guard.config.token',
      'plugins.entries.clawwarden-guard.config.source',
      'plugins.entries.clawwarden-guard.config.failMode',
      'plugins.allow',
    ]);
    expect(JSON.stringify(plan.changes)).not.toContain(SETTINGS.token);
    // Idempotent.
    expect(planInstall(plan.document, '/opt/cw/guard', SETTINGS).changes).toEqual([]);
    // A changed setting is one change.
    expect(planInstall(plan.document, '/opt/cw/guard', { ...SETTINGS, failMode: 'closed' }).changes).toEqual([{ path: 'plugins.entries.clawwarden-guard.config.failMode', change: 'closed' }]);
    // And uninstall undoes it.
    const undone = planUninstall(plan.document, '/opt/cw/guard', () => false);
    expect(undone.document).toEqual({ gateway: { port: 1 }, plugins: { allow: ['memory-core'], entries: { 'memory-core': { enabled: true } } } });
    expect(planUninstall(undone.document, '/opt/cw/guard', () => false).changes).toEqual([]);
  });

  it('will not install a denied plugin, and notes plugins disabled globally', () => {
    expect(planInstall({ plugins: { deny: ['clawwarden-guard'] } }, '/g', SETTINGS).blocked).toMatch(/plugins\.deny lists clawwarden-guard/);
    expect(planInstall({ plugins: { enabled: false } }, '/g', SETTINGS).notes.join()).toMatch(/plugins\.enabled is false/);
  });

  it('reaches a wildcard listener on loopback', () => {
    expect(guardUrl('127.0.0.1:9465')).toBe('http://127.0.0.1:9465');
    expect(guardUrl('0.0.0.0:9465')).toBe('http://127.0.0.1:9465');
    expect(guardUrl('[::1]:9000')).toBe('http://[::1]:9000');
  });
});

describe('clawwarden openclaw install-guard / uninstall-guard', () => {
  let dir: string;
  const env = { GW: 'gateway-token-value', GUARD: 'guard-token-0123456789abcdef' };
  beforeAll(async () => {
    ensureGuardBuilt();
    dir = await mkdtemp(join(tmpdir(), 'cw-install-'));
    await writeFile(
      join(dir, 'clawwarden.yaml'),
      'sources:\n  - { name: home, type: openclaw, url: "ws://127.0.0.1:18789", token: "${env:GW}" }\nguard:\n  listen: 127.0.0.1:9465\n  token: "${env:GUARD}"\n',
    );
    await writeFile(
      join(dir, 'openclaw.json'),
      '// the gateway\n{ gateway: { mode: "local", port: 18789 }, plugins: { entries: { "memory-core": { config: { dreaming: { enabled: false } } } } } }\n',
      { mode: 0o600 },
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['openclaw', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { ...env, HOME: dir }, cwd: dir });
    return { code, stdout, stderr };
  };

  it('--dry-run prints the changes and writes nothing', async () => {
    const before = await readFile(join(dir, 'openclaw.json'), 'utf8');
    const r = await run(['install-guard', '--config', 'clawwarden.yaml', '--openclaw-config', 'openclaw.json', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Would change .*openclaw\.json:\n {2}plugins\.load\.paths: \+ .*\/guard\n/);
    expect(r.stdout).not.toContain(env.GUARD);
    expect(await readFile(join(dir, 'openclaw.json'), 'utf8')).toBe(before);
  });

  it('installs (keeping the file private and a backup), then finds nothing to change; uninstall removes it all', async () => {
    const r = await run(['install-guard', '--config', 'clawwarden.yaml', '--openclaw-config', 'openclaw.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Changed .*openclaw\.json:[\s\S]*config\.token: \[set from guard\.token\][\s\S]*Restart the gateway/);
    expect(r.stderr).toMatch(/note: comments in .* were not kept/);
    const written = JSON.parse(await readFile(join(dir, 'openclaw.json'), 'utf8')) as { plugins: { load: { paths: string[] }; entries: Record<string, { config?: Record<string, unknown> }> } };
    expect(written.plugins.load.paths).toEqual([GUARD_DIR]);
    expect(written.plugins.entries['clawwarden-guard']?.config).toEqual({ url: 'http://127.0.0.1:9465', token: env.GUARD, source: 'home', failMode: 'open' });
    expect(written.plugins.entries['memory-core']).toEqual({ config: { dreaming: { enabled: false } } });
    expect((await stat(join(dir, 'openclaw.json'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, 'openclaw.json.clawwarden.bak'), 'utf8')).toMatch(/^\/\/ the gateway/);
    const again = await run(['install-guard', '--config', 'clawwarden.yaml', '--openclaw-config', 'openclaw.json', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, changes: [] });
    const removed = await run(['uninstall-guard', '--openclaw-config', 'openclaw.json']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/plugins\.entries\.clawwarden-guard: removed/);
    const after = JSON.parse(await readFile(join(dir, 'openclaw.json'), 'utf8')) as { plugins: Record<string, unknown> };
    expect(after.plugins).toEqual({ entries: { 'memory-core': { config: { dreaming: { enabled: false } } } } });
  });

  it('says what is missing: no guard: block (exit 2), no openclaw.json (exit 1), an unknown subcommand (exit 2)', async () => {
    await writeFile(join(dir, 'plain.yaml'), 'sources:\n  - { name: home, type: openclaw, url: "ws://127.0.0.1:18789", token: "${env:GW}" }\n');
    const noBlock = await run(['install-guard', '--config', 'plain.yaml', '--openclaw-config', 'openclaw.json']);
    expect(noBlock.code).toBe(2);
    expect(noBlock.stderr).toMatch(/has no guard: block/);
    const noFile = await run(['install-guard', '--config', 'clawwarden.yaml', '--openclaw-config', 'missing.json']);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/cannot read .*missing\.json/);
    expect((await run(['instal-guard'])).code).toBe(2);
  });
});
