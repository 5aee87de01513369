import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostTool } from './host-tools.js';

const UNIT_PATH = new URL('../../systemd/clawwarden.service', import.meta.url);
const unitText = readFileSync(UNIT_PATH, 'utf8');
const hasAnalyze = hostTool('systemd-analyze');
const scratch = mkdtempSync(join(tmpdir(), 'clawwarden-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every `Key=value` of the unit, by key, in file order (systemd keys may repeat). */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

/**
 * `systemd-analyze verify` refuses a unit whose ExecStart binary does not exist, and on a build or CI
 * machine clawwarden is not installed at /usr/bin. `--root` with a temp tree would need /bin/kill and
 * the whole target chain copied in, so instead verify a copy whose only change is the ExecStart
 * path, pointed at a real executable; every other line is checked exactly as shipped.
 */
function unitWithExecutableStart(): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'clawwarden'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'clawwarden'), 0o755);
  const copy = unitText.replace(/^ExecStart=\/usr\/bin\/clawwarden /m, `ExecStart=${bin}/clawwarden `);
  const changed = copy.split('\n').filter((line, i) => line !== unitText.split('\n')[i]);
  expect(changed).toHaveLength(1);
  const path = join(scratch, 'clawwarden.service');
  writeFileSync(path, copy);
  return path;
}

const MDWE_EXEC = [
  'import ctypes, os, sys',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'if libc.prctl(65, 1, 0, 0, 0) != 0: sys.exit(97)  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN',
  'os.execv(sys.argv[1], sys.argv[1:])',
].join('\n');

function underMdwe(nodeArgs: readonly string[]): { status: number | null; stdout: string } {
  const run = spawnSync('python3', ['-c', MDWE_EXEC, process.execPath, ...nodeArgs], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

function mdweSupported(): boolean {
  const probe = spawnSync('python3', ['-c', MDWE_EXEC, '/bin/true'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0;
}

describe('systemd/clawwarden.service', () => {
  const unit = directives(unitText);

  it.each([
    ['Type', ['simple']],
    ['ExecStart', ['/usr/bin/clawwarden run --config /etc/clawwarden/config.yaml']],
    ['ExecReload', ['/bin/kill -HUP $MAINPID']],
    ['Restart', ['on-failure']],
    ['StateDirectory', ['clawwarden']],
    ['ConfigurationDirectory', ['clawwarden']],
    ['Environment', ['NODE_ENV=production']],
    [
      'LoadCredential',
      [
        'gateway-token:/etc/clawwarden/credentials/gateway-token',
        'smtp-password:/etc/clawwarden/credentials/smtp-password',
        'api-token:/etc/clawwarden/credentials/api-token',
        'slack-webhook-url:/etc/clawwarden/credentials/slack-webhook-url',
      ],
    ],
    ['DynamicUser', ['yes']],
    ['NoNewPrivileges', ['yes']],
    ['ProtectSystem', ['strict']],
    ['ProtectHome', ['yes']],
    ['PrivateTmp', ['yes']],
    ['PrivateDevices', ['yes']],
    ['CapabilityBoundingSet', ['']],
    ['RestrictAddressFamilies', ['AF_INET AF_INET6 AF_UNIX']],
    ['SystemCallFilter', ['@system-service', '~@privileged @resources']],
    ['SystemCallArchitectures', ['native']],
    ['ProtectProc', ['invisible']],
    ['ProcSubset', ['pid']],
    ['UMask', ['0077']],
    // V8's JIT needs pages that turn executable after being written; see the mdwe test below.
    ['MemoryDenyWriteExecute', ['no']],
  ])('sets %s=%j', (key, values) => {
    expect(unit.get(key)).toEqual(values);
  });

  it('does not restrict IP addresses, so a gateway, mail relay or webhook on another host stays reachable', () => {
    expect(unit.has('IPAddressDeny')).toBe(false);
    expect(unit.has('PrivateNetwork')).toBe(false);
  });

  // MemoryDenyWriteExecute=yes is a seccomp filter refusing PROT_EXEC on written pages; the kernel's
  // PR_SET_MDWE (Linux ≥ 6.3) enforces the same rule on a process tree, so it shows what node does there.
  it.skipIf(!mdweSupported())('node aborts under memory-deny-write-execute; --jitless survives only without WebAssembly', () => {
    const plain = underMdwe(['-e', 'console.log("ran")']);
    expect(plain.stdout).not.toContain('ran');
    expect(plain.status).not.toBe(0);
    const jitless = underMdwe(['--jitless', '-e', 'console.log(typeof WebAssembly)']);
    expect(jitless.status).toBe(0);
    expect(jitless.stdout.trim()).toBe('undefined');
  });

  it.skipIf(!hasAnalyze)('passes systemd-analyze verify', () => {
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', unitWithExecutableStart()], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasAnalyze)('fails systemd-analyze verify when ExecStart points nowhere (the check is real)', () => {
    const broken = join(scratch, 'broken', 'clawwarden.service');
    mkdirSync(join(scratch, 'broken'), { recursive: true });
    writeFileSync(broken, unitText.replace(/^ExecStart=\/usr\/bin\/clawwarden /m, `ExecStart=${scratch}/missing/clawwarden `));
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', broken], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('is not executable');
  });

  it.skipIf(!hasAnalyze)('has an overall exposure of at most 2.0 in systemd-analyze security --offline', () => {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', new URL(UNIT_PATH).pathname], {
      encoding: 'utf8',
    });
    const match = /Overall exposure level for clawwarden\.service: (\d+(?:\.\d+)?)/.exec(result.stdout);
    expect(match, result.stdout + result.stderr).not.toBeNull();
    const exposure = Number(match?.[1]);
    expect(exposure).toBeGreaterThanOrEqual(0);
    expect(exposure).toBeLessThanOrEqual(2.0);
  });
});
