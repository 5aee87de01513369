import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readText, runAsync, type AsyncFiles } from '../../src/config/file-io.js';
import { FILE_READ_TIMEOUT_MS, MAX_CONFIG_BYTES, MAX_POLICY_FILE_BYTES, MAX_SECRET_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH } from '../../src/config/limits.js';
import { loadConfigWith, loadConfigWithAsync } from '../../src/config/config-file.js';
import type { LoadResult } from '../../src/config/interpret.js';
import { testRegistries, workspace } from './fixture.js';

const SOURCE = 'sources:\n  - name: home\n    type: full\n';
const loaders = [
  { name: 'sync', load: (dir: string): Promise<LoadResult> => Promise.resolve(loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'clawwarden.yaml' })) },
  { name: 'async', load: (dir: string): Promise<LoadResult> => loadConfigWithAsync(testRegistries, { cwd: dir, env: {}, file: 'clawwarden.yaml' }) },
];

test('the limits are the documented numbers', () => {
  expect({ MAX_CONFIG_BYTES, MAX_POLICY_FILE_BYTES, MAX_SECRET_BYTES, FILE_READ_TIMEOUT_MS, MAX_YAML_ALIASES, MAX_YAML_DEPTH }).toEqual({
    MAX_CONFIG_BYTES: 256 * 1024,
    MAX_POLICY_FILE_BYTES: 256 * 1024,
    MAX_SECRET_BYTES: 64 * 1024,
    FILE_READ_TIMEOUT_MS: 2000,
    MAX_YAML_ALIASES: 100,
    MAX_YAML_DEPTH: 64,
  });
});

describe.each(loaders)('secret files ($name loader): regular files only, at most 64 KiB, refused unread and at once', ({ load }) => {
  // Each used to hang `validate` (a FIFO waits for a writer; /dev/zero and a big file are read to the end).
  const cases: { name: string; path: string; files?: Record<string, string>; setup: (dir: string) => void; message: (dir: string) => string }[] = [
    { name: '/dev/zero', path: '/dev/zero', setup: (): void => {}, message: (_: string) => 'secret file /dev/zero is not a regular file (character device)' },
    {
      name: 'a FIFO',
      path: './fifo',
      setup: (dir: string): void => void execFileSync('mkfifo', [join(dir, 'fifo')]),
      message: (dir: string) => `secret file ${join(dir, 'fifo')} is not a regular file (fifo)`,
    },
    { name: 'a 1 MiB file', path: './big', files: { big: 'x'.repeat(1024 * 1024) }, setup: (): void => {}, message: (dir: string) => `secret file ${join(dir, 'big')} is larger than 64 KiB (1 MiB)` },
    { name: 'a directory', path: './creds', files: { 'creds/token': 'x' }, setup: (): void => {}, message: (dir: string) => `secret file ${join(dir, 'creds')} is not a regular file (directory)` },
    { name: 'a missing file', path: './nothing', setup: (): void => {}, message: (dir: string) => `cannot read secret file ${join(dir, 'nothing')}: it does not exist (ENOENT)` },
  ];
  test.each(cases)('$name', async (c) => {
    const config = `${SOURCE}    token: { file: ${c.path} }\n`;
    const dir = workspace({ 'clawwarden.yaml': config, ...(c.files ?? {}) });
    c.setup(dir);
    // Refused unread: a read that had started would end in the read timeout's own error, not the kind-of-file one.
    const { config: loaded, errors } = await load(dir);
    expect(loaded).toBeUndefined();
    expect(errors.map((e) => [e.code, e.file, e.line, e.column, e.path, e.message])).toEqual([
      ['SECRET_FILE_UNREADABLE', 'clawwarden.yaml', 4, config.split('\n')[3]!.indexOf(c.path) + 1, 'sources[0] "home" › token.file', c.message(dir)],
    ]);
  });

  test('a secret file of exactly 64 KiB is read', async () => {
    const dir = workspace({ 'clawwarden.yaml': `${SOURCE}    token: { file: ./token }\n`, token: 't'.repeat(MAX_SECRET_BYTES) });
    const { config, errors } = await load(dir);
    expect(errors).toEqual([]);
    expect(config!.sources[0]!.options['token']).toMatchObject({ origin: `file:${join(dir, 'token')}` });
  });
});

test('a file request that does not answer is given up after the timeout', async () => {
  const hanging: AsyncFiles = { read: () => new Promise(() => {}), kind: () => new Promise(() => {}), list: () => new Promise(() => {}) };
  // The request never settles, so an answer at all means it was given up on.
  expect(await runAsync(readText('/mnt/stale-nfs/token', 100), hanging, 50)).toEqual({ problem: { reason: 'timeout', ms: 50 } });
});

const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefgh'.split('').map((x, i) => `${x}: &${x} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

describe.each(loaders)('YAML limits ($name loader): a config error with file:line, never a crash', ({ load }) => {
  const cases: { name: string; files: Record<string, string>; error: unknown[] }[] = [
    {
      name: 'an alias bomb in the config',
      files: { 'clawwarden.yaml': `${SOURCE}bomb:\n${BOMB.replace(/^/gm, '  ')}\n` },
      error: ['YAML_LIMIT', 'clawwarden.yaml', 6, 10, 'aliases (*a) expand to more than 100 copies'],
    },
    {
      name: 'an alias bomb in a policy file',
      files: { 'clawwarden.yaml': `${SOURCE}policies: ./policies/*.yaml\n`, 'policies/bomb.yaml': `${BOMB}\n` },
      error: ['YAML_LIMIT', 'policies/bomb.yaml', 2, 8, 'aliases (*a) expand to more than 100 copies'],
    },
    {
      name: '10,000 nested flow sequences in the config',
      files: { 'clawwarden.yaml': `${SOURCE}x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` },
      error: ['YAML_LIMIT', 'clawwarden.yaml', 4, expect.any(Number), 'collections nest deeper than 64 levels'],
    },
    {
      name: '10,000 nested flow maps in a policy file',
      files: { 'clawwarden.yaml': `${SOURCE}policies: deep.yaml\n`, 'deep.yaml': `- name: deep\n  when: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n` },
      error: ['YAML_LIMIT', 'deep.yaml', 2, expect.any(Number), 'collections nest deeper than 64 levels'],
    },
    {
      name: 'deeply nested block sequences on one line',
      files: { 'clawwarden.yaml': `${SOURCE}x:\n  ${'- '.repeat(5_000)}x\n` },
      error: ['YAML_LIMIT', 'clawwarden.yaml', 5, expect.any(Number), 'collections nest deeper than 64 levels'],
    },
    {
      name: 'a config over 256 KiB',
      files: { 'clawwarden.yaml': `${SOURCE}${'# padding\n'.repeat(30_000)}` },
      error: ['FILE_TOO_LARGE', 'clawwarden.yaml', 0, 0, 'config file is larger than 256 KiB (293.0 KiB)'],
    },
    {
      name: 'a policy file over 256 KiB',
      files: { 'clawwarden.yaml': `${SOURCE}policies: ./policies/*.yaml\n`, 'policies/huge.yaml': '# padding\n'.repeat(30_000) },
      error: ['FILE_TOO_LARGE', 'policies/huge.yaml', 0, 0, 'policy file is larger than 256 KiB (293.0 KiB)'],
    },
  ];
  test.each(cases)('$name', async (c) => {
    const dir = workspace(c.files);
    const { config, errors } = await load(dir);
    expect(config).toBeUndefined();
    expect(errors).toHaveLength(1);
    const [code, file, line, column, message] = c.error;
    expect(errors[0]).toMatchObject({ code, file, line, column, message: expect.stringContaining(message as string) as string });
  });

  test('64 nested collections (the limit) load', async () => {
    // The root map, `policies`, the policy map, then the `when` maps: 64 in all.
    const when = `${'{ not: '.repeat(MAX_YAML_DEPTH - 4)}{ idle: "> 1h" }${' }'.repeat(MAX_YAML_DEPTH - 4)}`;
    const dir = workspace({ 'clawwarden.yaml': `${SOURCE}policies:\n  - name: deep\n    when: ${when}\n    do: stop\n` });
    const { errors } = await load(dir);
    expect(errors.filter((e) => e.code === 'YAML_LIMIT')).toEqual([]);
  });
});
