import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { formatConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/index.js';
import { Secret } from '../../src/domain/secret.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const credentials = mkdtempSync(join(tmpdir(), 'clawwarden-credentials-'));
afterAll(() => rmSync(credentials, { recursive: true, force: true }));

test('config.example.yaml validates with its env variables and credentials set, every secret redacted', () => {
  writeFileSync(join(credentials, 'api-token'), 'api-token-value\n');
  writeFileSync(join(credentials, 'smtp-password'), 'smtp-password-value\n');
  const env = { OPENCLAW_GATEWAY_TOKEN: 'gateway-token-value', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/slack-secret', CREDENTIALS_DIRECTORY: credentials };
  const { config, errors } = loadConfig({ file: 'config.example.yaml', cwd: ROOT, env });
  expect(errors.map(formatConfigError)).toEqual([]);
  expect(config!.sources.map((s) => s.type)).toEqual(['openclaw']);
  expect(config!.notifiers.map((n) => n.type).sort()).toEqual(['email', 'webhook']);
  expect(config!.policies.length).toBeGreaterThan(10);
  expect(config!.safety.maxActionsPerSweep).toEqual([{ count: 20 }, { percent: 10 }]);
  expect(config!.http.token).toBeInstanceOf(Secret);
  expect(config!.http.token!.reveal()).toBe('api-token-value');
  const json = JSON.stringify(config);
  for (const secret of ['gateway-token-value', 'slack-secret', 'api-token-value', 'smtp-password-value']) expect(json).not.toContain(secret);
});

test('config.example.yaml names what is missing when its secrets are not provided', () => {
  const { errors } = loadConfig({ file: 'config.example.yaml', cwd: ROOT, env: {} });
  expect(errors.map((e) => `${e.code} ${e.path}`)).toEqual([
    'SECRET_ENV_MISSING sources[0] "home" › token',
    'SECRET_ENV_MISSING http.token.file',
    'SECRET_ENV_MISSING notifiers.ops-email.smtp.auth.pass.file',
    'SECRET_ENV_MISSING notifiers.ops-chat.url',
  ]);
});
