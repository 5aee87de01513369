import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/notify.js';
import { deadPort, startHookSink, startMailSink, type HookSink, type MailSink } from './fixtures.js';

describe('clawwarden notify test <notifier>', () => {
  let dir: string;
  let hook: HookSink;
  let mail: MailSink;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawwarden-notify-'));
    hook = await startHookSink();
    mail = await startMailSink();
    writeFileSync(
      join(dir, 'clawwarden.yaml'),
      `sources:
  - name: demo
    type: demo
    seed: 1
stateDir: ${join(dir, 'state')}
notifiers:
  chat: { type: webhook, url: "\${env:HOOK_URL}", format: slack }
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${mail.port} }, from: warden@example.com, to: [ops@example.com] }
  dead: { type: webhook, url: "http://127.0.0.1:${await deadPort()}/hooks/SECRETPATH", timeoutMs: 2000 }
policies: []
`,
    );
  });

  afterAll(async () => {
    await hook.close();
    await mail.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await command.run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: { HOOK_URL: hook.url }, cwd: dir });
    return { code, out, err };
  }

  it('sends through a webhook given by a secret reference and reports it as JSON', async () => {
    const { code, out } = await run('test', 'chat', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ notifier: 'chat', type: 'webhook', result: 'sent', title: '[clawwarden] Test message for notifier chat — delivery works' });
    expect((hook.requests[0]?.body as { text: string }).text).toContain('Notifier: chat');
  });

  it('sends a mail and says so in plain text', async () => {
    const { code, out } = await run('test', 'mail', '--config', join(dir, 'clawwarden.yaml'));
    expect(code).toBe(0);
    expect(out).toBe('mail (email): sent "[clawwarden] Test message for notifier mail — delivery works"\n');
    await mail.waitFor(1);
    expect(mail.mails[0]?.subject).toBe('[clawwarden] Test message for notifier mail — delivery works');
  });

  it('exits 1 with the reason when delivery fails, without showing the URL', async () => {
    const { code, out } = await run('test', 'dead', '--json');
    expect(code).toBe(1);
    const result = JSON.parse(out) as { result: string; detail: string };
    expect(result.result).toBe('error');
    expect(result.detail).toMatch(/^webhook dead: /);
    expect(out).not.toContain('SECRETPATH');
  });

  it.each([
    [['test', 'nope'], 'no notifier "nope"', 'expected one of: chat, mail, dead'],
    [['test', 'chat', '--config', '/nonexistent/clawwarden.yaml'], 'config error', ''],
  ])('exits 2 for %j', async (argv, first, second) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toContain(first);
    expect(err).toContain(second);
  });

  it.each([[[]], [['send', 'chat']], [['test']]])('rejects usage %j', async (argv) => {
    await expect(run(...argv)).rejects.toMatchObject({ code: 'USAGE' });
  });
});
