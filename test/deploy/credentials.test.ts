import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Secret } from '../../src/domain/secret.js';

// The config the README's systemd walk-through tells operators to write, taken from the README itself
// so the documented example and the loader cannot drift apart.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Deployment with systemd'));
const documented = /```yaml\n([\s\S]*?CREDENTIALS_DIRECTORY[\s\S]*?)```/.exec(section)?.[1] ?? '';

const scratch = mkdtempSync(join(tmpdir(), 'clawwarden-creds-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** /etc/clawwarden with the documented config and one policy file, plus a credentials and a state directory as systemd makes them. */
function layout(credentials: Record<string, string>): { configFile: string; credentialsDir: string; stateDir: string } {
  const root = mkdtempSync(join(scratch, 'host-'));
  const etc = join(root, 'etc', 'clawwarden');
  mkdirSync(join(etc, 'policies'), { recursive: true });
  writeFileSync(join(etc, 'config.yaml'), documented.replace(/^ {3}/gm, ''));
  writeFileSync(join(etc, 'policies', 'caps.yaml'), 'policies:\n  - name: session-token-cap\n    when: { tokens.total: "> 200k" }\n    do: [ { notify: ops-email }, stop ]\n');
  const credentialsDir = join(root, 'run', 'credentials', 'clawwarden.service');
  mkdirSync(credentialsDir, { recursive: true });
  for (const [name, value] of Object.entries(credentials)) writeFileSync(join(credentialsDir, name), value);
  const stateDir = join(root, 'var', 'lib', 'clawwarden');
  return { configFile: join(etc, 'config.yaml'), credentialsDir, stateDir };
}

const ALL = { 'gateway-token': 'gw-secret-1\n', 'api-token': 'api-secret-2', 'smtp-password': 'smtp-secret-3\n', 'slack-webhook-url': 'https://hooks.example.com/services/T0/B0/secret-4\n' };

describe('the systemd config of the README, as the unit runs it', () => {
  it('is in the README', () => {
    expect(documented).toContain('{ file: "${env:CREDENTIALS_DIRECTORY}/gateway-token" }');
  });

  it('reads every secret from $CREDENTIALS_DIRECTORY and keeps state in $STATE_DIRECTORY', () => {
    const { configFile, credentialsDir, stateDir } = layout(ALL);
    const result = loadConfig({ file: configFile, cwd: scratch, env: { CREDENTIALS_DIRECTORY: credentialsDir, STATE_DIRECTORY: stateDir } });
    expect(result.errors).toEqual([]);
    const config = result.config!;
    const token = config.sources[0]?.options['token'];
    expect(token).toBeInstanceOf(Secret);
    expect((token as Secret).reveal()).toBe('gw-secret-1');
    expect((token as Secret).origin).toBe(`file:${credentialsDir}/gateway-token`);
    expect(config.http.token?.reveal()).toBe('api-secret-2');
    const smtp = config.notifiers[0]?.options['smtp'] as { auth: { pass: Secret } };
    expect(smtp.auth.pass.reveal()).toBe('smtp-secret-3');
    expect(config.stateDir).toBe(stateDir);
    expect(JSON.stringify(config)).not.toMatch(/gw-secret-1|api-secret-2|smtp-secret-3/);
  });

  it('names the variable and the place when $CREDENTIALS_DIRECTORY is unset (run by hand, outside the unit)', () => {
    const { configFile, stateDir } = layout(ALL);
    const result = loadConfig({ file: configFile, cwd: scratch, env: { STATE_DIRECTORY: stateDir } });
    expect(result.config).toBeUndefined();
    // One per secret the config reads from the credentials directory: gateway, API, SMTP and webhook.
    expect(result.errors).toHaveLength(4);
    for (const error of result.errors) {
      expect(error.code).toBe('SECRET_ENV_MISSING');
      expect(error.message).toContain('CREDENTIALS_DIRECTORY');
      expect(error.line).toBeGreaterThan(0);
    }
  });

  it('reports a credential the unit did not load as an unreadable file', () => {
    const { configFile, credentialsDir, stateDir } = layout({ 'gateway-token': 'gw', 'api-token': 'api', 'slack-webhook-url': 'https://hooks.example.com/x' });
    const result = loadConfig({ file: configFile, cwd: scratch, env: { CREDENTIALS_DIRECTORY: credentialsDir, STATE_DIRECTORY: stateDir } });
    expect(result.errors.map((e) => e.code)).toEqual(['SECRET_FILE_UNREADABLE']);
    expect(result.errors[0]?.message).toContain(`${credentialsDir}/smtp-password`);
  });
});
