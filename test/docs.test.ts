import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { formatConfigError, loadConfig } from '../src/config/index.js';

const ROOT = resolve(import.meta.dirname, '..');

/** Everything a README snippet may lean on: a source, the notifiers the examples name, and their secrets. */
const BASE = {
  sources: [{ name: 'home', type: 'openclaw', url: 'ws://127.0.0.1:18789', token: '${env:OPENCLAW_GATEWAY_TOKEN}' }],
  notifiers: {
    'ops-email': { type: 'email', smtp: { host: '127.0.0.1', port: 25 }, from: 'warden@example.com', to: ['ops@example.com'] },
    'ops-chat': { type: 'webhook', url: '${env:SLACK_WEBHOOK_URL}', format: 'slack' },
  },
  policies: [] as unknown[],
};

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-docs-'));
  // `policies: ./policies/*.yaml` in the README means the shipped library beside the config.
  await symlink(join(ROOT, 'policies'), join(dir, 'policies'));
  const credentials = join(dir, 'credentials');
  await mkdir(credentials);
  for (const name of ['gateway-token', 'api-token', 'smtp-password', 'slack-webhook-url']) await writeFile(join(credentials, name), `${name}-value\n`);
  env = {
    OPENCLAW_GATEWAY_TOKEN: 'gateway-token-value',
    SMTP_PASSWORD: 'smtp-password-value',
    SLACK_WEBHOOK_URL: 'https://hooks.example.com/services/T000/B000/XXXX',
    CLAWWARDEN_API_TOKEN: 'api-token-value',
    CREDENTIALS_DIRECTORY: credentials,
    STATE_DIRECTORY: join(dir, 'state'),
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `document` merged over BASE as a config file and returns the formatted errors. */
async function errorsOf(document: Record<string, unknown>, name: string): Promise<string[]> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, stringify({ ...BASE, ...document }));
  const { config, errors } = loadConfig({ file, cwd: dir, env });
  if (!config) return errors.map(formatConfigError);
  return [];
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
/** Each ```yaml block, with the indentation of its fence (blocks inside list items are indented) removed. */
const yamlBlocks = [...readme.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)].map((m, i) => ({
  i,
  text: m[2]!
    .split('\n')
    .map((line) => line.slice(m[1]!.length))
    .join('\n'),
}));
const whenExamples = [...readme.matchAll(/`(when: \{.*?\})`/g)].map((m, i) => ({ i, text: m[1]! }));

describe('README examples', () => {
  it('has the examples this test is meant to check', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(4);
    expect(whenExamples.length).toBeGreaterThanOrEqual(12);
  });

  it.each(yamlBlocks.map((b) => [b.i, b.text.split('\n')[0], b.text] as const))('yaml block %i (%s) validates', async (i, _first, text) => {
    const parsed = parse(text) as Record<string, unknown> | unknown[];
    const document = Array.isArray(parsed) ? { policies: parsed } : parsed;
    expect(await errorsOf(document, `block-${i}`)).toEqual([]);
  });

  it.each(whenExamples.map((w) => [w.i, w.text] as const))('condition example %i `%s` compiles in a policy', async (i, text) => {
    const when = (parse(`{ ${text} }`) as { when: unknown }).when;
    expect(await errorsOf({ policies: [{ name: `example-${i}`, when, do: ['notify'] }] }, `when-${i}`)).toEqual([]);
  });
});
