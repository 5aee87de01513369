import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayOptions } from '../../src/cli/sessions/connect.js';
import { reveal } from '../../src/domain/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-connect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const home = join(dir, 'home');
mkdirSync(join(home, '.openclaw'), { recursive: true });
writeFileSync(join(home, '.openclaw', 'openclaw.json'), '// local gateway\n{ gateway: { port: 19999, bind: "loopback", auth: { mode: "token", token: "from-openclaw-json" }, }, }\n');
writeFileSync(join(dir, 'clawwarden.yaml'), 'sources:\n  - name: home\n    type: openclaw\n    url: ws://127.0.0.1:18800\n    token: ${env:GW_TOKEN}\npolicies: []\n');

describe('sessions connection options', () => {
  it.each([
    ['nothing given: discovers the local gateway like the openclaw CLI', {}, { HOME: home }, 'ws://127.0.0.1:19999', 'from-openclaw-json'],
    ['env token wins over the discovered one', {}, { HOME: home, OPENCLAW_GATEWAY_TOKEN: 'from-env' }, 'ws://127.0.0.1:19999', 'from-env'],
    ['--url and --token win', { url: 'ws://127.0.0.1:1', token: 'from-flag' }, { HOME: home, OPENCLAW_GATEWAY_TOKEN: 'from-env' }, 'ws://127.0.0.1:1', 'from-flag'],
    ['no local config: the default URL', {}, { HOME: join(dir, 'nobody') }, undefined, undefined],
    ['--config uses its openclaw source, secrets resolved', { config: join(dir, 'clawwarden.yaml') }, { HOME: home, GW_TOKEN: 'from-config' }, 'ws://127.0.0.1:18800', 'from-config'],
  ])('%s', async (_label, flags, env, url, token) => {
    const options = await gatewayOptions(flags, env, dir);
    expect(options.url).toBe(url);
    expect(reveal(options.token)).toBe(token);
    expect(JSON.stringify(options)).not.toMatch(/from-(flag|env|config|openclaw-json)/);
  });

  it('a config without an openclaw source is a clear error', async () => {
    writeFileSync(join(dir, 'demo.yaml'), 'sources:\n  - name: demo\n    type: demo\npolicies: []\n');
    await expect(gatewayOptions({ config: join(dir, 'demo.yaml') }, { HOME: home }, dir)).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('no source of type openclaw') as string,
    });
  });
});
