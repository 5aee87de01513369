import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatConfigError, loadConfig } from '../../src/config/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-guard-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { GW_TOKEN: 'gateway-token-value', GUARD_TOKEN: 'guard-token-0123456789abcdef' };

async function load(text: string): Promise<ReturnType<typeof loadConfig>> {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return loadConfig({ file, cwd: dir, env });
}

const SOURCES = `sources:
  - { name: home, type: openclaw, url: "ws://127.0.0.1:18789", token: "\${env:GW_TOKEN}" }
`;
const HARD = `policies:
  - name: cap
    when: { tokens.total: "> 40k" }
    hard: true
    do: [ stop ]
`;

describe('the guard: block', () => {
  it('reads listen, the token (a secret), failMode and sources, with defaults', async () => {
    const { config, errors } = await load(`${SOURCES}guard:\n  token: "\${env:GUARD_TOKEN}"\n${HARD}`);
    expect(errors.map(formatConfigError)).toEqual([]);
    expect(config?.guard).toMatchObject({ listen: '127.0.0.1:9465', failMode: 'open' });
    expect(config?.guard?.token.reveal()).toBe(env.GUARD_TOKEN);
    expect(JSON.stringify(config?.guard)).not.toContain(env.GUARD_TOKEN);
    const closed = await load(`${SOURCES}guard:\n  listen: 127.0.0.1:9999\n  token: "\${env:GUARD_TOKEN}"\n  failMode: closed\n  sources: [home]\n`);
    expect(closed.config?.guard).toMatchObject({ listen: '127.0.0.1:9999', failMode: 'closed', sources: ['home'] });
  });

  it.each([
    ['a token written in the file', 'guard:\n  token: plain-token-in-the-file-123\n', /guard\.token: the guard token must not be written in the file/],
    ['a short token', 'guard:\n  token: "${env:SHORT}"\n', /guard\.token/],
    ['an unknown failMode', 'guard:\n  token: "${env:GUARD_TOKEN}"\n  failMode: maybe\n', /guard\.failMode/],
    ['an unknown key', 'guard:\n  token: "${env:GUARD_TOKEN}"\n  port: 1\n', /guard.*port/],
  ])('rejects %s', async (_what, block, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, `${SOURCES}${block}`);
    const { errors } = loadConfig({ file, cwd: dir, env: { ...env, SHORT: 'short' } });
    expect(errors.map(formatConfigError).join('\n')).toMatch(message);
  });
});

describe('hard: true', () => {
  it.each([
    ['a combined condition', '{ all: [ { tokens.total: "> 40k" }, { idle: "> 1h" } ] }', 'session', '[ stop ]', /hard: true needs a token or cost cap: its "when" is all; a cap is one of/],
    ['a < threshold', '{ tokens.total: "< 40k" }', 'session', '[ stop ]', /a cap is "> limit" or ">= limit"/],
    ['a non-usage condition', '{ idle: "> 1h" }', 'session', '[ stop ]', /a cap is one of tokens\.total/],
    ['agent scope', '{ cost: "> $25" }', 'agent', '[ pause ]', /hard: true applies to session caps; this policy has scope agent/],
    ['notify only', '{ cost: "> $25" }', 'session', '[ notify ]', /needs stop, kill or pause/],
  ])('is refused on %s', async (_what, when, scope, todo, message) => {
    const { errors } = await load(`${SOURCES}policies:\n  - name: p\n    scope: ${scope}\n    when: ${when}\n    hard: true\n    do: ${todo}\n`);
    expect(errors.map(formatConfigError).join('\n')).toMatch(message);
  });

  it('is accepted on a token or cost cap, and warns where no guard holds it (the external stop is the fallback)', async () => {
    const { config, errors, warnings = [] } = await load(`${SOURCES}${HARD}`);
    expect(errors).toEqual([]);
    expect(config?.policies[0]?.hard).toBe(true);
    expect(warnings.map(formatConfigError).join('\n')).toMatch(
      /warning: hard: true is held at the tool boundary only by the in-gateway guard, and there is no guard: block .* falls back to the external stop/,
    );
    const guarded = await load(`${SOURCES}guard:\n  token: "\${env:GUARD_TOKEN}"\n${HARD}`);
    expect(guarded.warnings ?? []).toEqual([]);
  });
});
