import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfigWith } from '../../src/config/config-file.js';
import { Secret } from '../../src/domain/secret.js';
import { load, testRegistries, workspace } from './fixture.js';

const MINIMAL = 'sources:\n  - name: home\n    type: full\n';

describe('defaults', () => {
  test('a config naming only a source gets every documented default', () => {
    const { config, errors, dir } = load({ 'clawwarden.yaml': MINIMAL });
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      file: join(dir, 'clawwarden.yaml'),
      mode: 'enforce',
      schedule: '* * * * *',
      stateDir: join(dir, '.clawwarden'),
      http: { listen: '127.0.0.1:9464', corsOrigins: [] },
      safety: { maxActionsPerSweep: [{ count: 20 }], protect: [] },
      notifiers: [],
      policies: [],
      metrics: { topSessions: 50 },
      journal: { maxBytes: 10 * 1024 * 1024, keep: 5 },
      logLevel: 'info',
    });
    expect(config!.http.token).toBeUndefined();
    // The module schema's own default fills the source options.
    expect(config!.sources).toEqual([{ name: 'home', type: 'full', options: { retries: 3 } }]);
  });

  test.each([
    { name: 'systemd StateDirectory', env: { STATE_DIRECTORY: '/var/lib/clawwarden' }, yaml: '', expected: () => '/var/lib/clawwarden' },
    { name: 'first of several StateDirectory entries', env: { STATE_DIRECTORY: '/var/lib/a:/var/lib/b' }, yaml: '', expected: () => '/var/lib/a' },
    { name: 'relative stateDir is relative to the config file', env: {}, yaml: 'stateDir: state\n', expected: (dir: string) => join(dir, 'etc', 'state') },
    { name: 'absolute stateDir wins over StateDirectory', env: { STATE_DIRECTORY: '/var/lib/x' }, yaml: 'stateDir: /srv/cw\n', expected: () => '/srv/cw' },
  ])('stateDir: $name', ({ env, yaml, expected }) => {
    const dir = workspace({ 'etc/clawwarden.yaml': MINIMAL + yaml });
    const { config, errors } = loadConfigWith(testRegistries, { cwd: dir, env, file: 'etc/clawwarden.yaml' });
    expect(errors).toEqual([]);
    expect(config!.stateDir).toBe(expected(dir));
  });

  test.each([
    { yaml: '7', limits: [{ count: 7 }] },
    { yaml: '"10%"', limits: [{ percent: 10 }] },
    { yaml: '[5, "2.5%"]', limits: [{ count: 5 }, { percent: 2.5 }] },
  ])('maxActionsPerSweep $yaml', ({ yaml, limits }) => {
    const { config, errors } = load({ 'clawwarden.yaml': `${MINIMAL}safety:\n  maxActionsPerSweep: ${yaml}\n` });
    expect(errors).toEqual([]);
    expect(config!.safety.maxActionsPerSweep).toEqual(limits);
  });
});

describe('secrets', () => {
  const CONFIG = `sources:
  - name: home
    type: full
    token: \${env:GATEWAY_TOKEN}
http:
  token: { file: ./api-token }
notifiers:
  chat: { type: webhook, url: "\${env:HOOK_URL}", headers: { Authorization: { file: "\${env:CREDENTIALS_DIRECTORY}/auth" } } }
`;

  test('env and file references become Secrets that never show in JSON', () => {
    const dir = workspace({ 'clawwarden.yaml': CONFIG, 'api-token': 'api-secret-value\n', 'creds/auth': 'Bearer header-secret\n' });
    const env = { GATEWAY_TOKEN: 'gw-secret-value', HOOK_URL: 'https://hooks.example.com/secret-path', CREDENTIALS_DIRECTORY: join(dir, 'creds') };
    const { config, errors } = loadConfigWith(testRegistries, { cwd: dir, env, file: 'clawwarden.yaml' });
    expect(errors).toEqual([]);
    const token = config!.sources[0]!.options['token'];
    expect(token).toBeInstanceOf(Secret);
    expect((token as Secret).reveal()).toBe('gw-secret-value');
    expect((token as Secret).origin).toBe('env:GATEWAY_TOKEN');
    expect(config!.http.token!.reveal()).toBe('api-secret-value');
    expect(config!.http.token!.origin).toBe(`file:${join(dir, 'api-token')}`);
    const options = config!.notifiers[0]!.options as { url: Secret; headers: { Authorization: Secret } };
    expect(options.url.reveal()).toBe('https://hooks.example.com/secret-path');
    expect(options.headers.Authorization.reveal()).toBe('Bearer header-secret');
    const json = JSON.stringify(config);
    for (const secret of ['gw-secret-value', 'api-secret-value', 'secret-path', 'header-secret']) expect(json).not.toContain(secret);
    expect(json).toContain('[redacted]');
  });

  test('a secret path that is not a regular file is reported with its position and the reason', () => {
    const dir = workspace({ 'clawwarden.yaml': MINIMAL + 'http:\n  token: { file: ./creds }\n', 'creds/x': '' });
    const { errors } = loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'clawwarden.yaml' });
    expect(errors.map((e) => [e.code, e.line, e.column, e.path])).toEqual([['SECRET_FILE_UNREADABLE', 5, 18, 'http.token.file']]);
    expect(errors[0]!.message).toBe(`secret file ${join(dir, 'creds')} is not a regular file (directory)`);
  });

  test('without secrets (validate --no-secrets): references are checked for shape, nothing is read, and none can be revealed', () => {
    const dir = workspace({ 'clawwarden.yaml': CONFIG });
    const { config, errors } = loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'clawwarden.yaml', resolveSecrets: false });
    expect(errors).toEqual([]);
    const token = config!.sources[0]!.options['token'] as Secret;
    expect(token.origin).toBe('env:GATEWAY_TOKEN');
    expect(() => token.reveal()).toThrow('secret env:GATEWAY_TOKEN was not read');
    expect(config!.http.token!.origin).toBe('file:./api-token');
    const options = config!.notifiers[0]!.options as { url: Secret; headers: { Authorization: Secret } };
    expect(options.headers.Authorization.origin).toBe('file:${env:CREDENTIALS_DIRECTORY}/auth');
    expect(() => options.url.reveal()).toThrow();
  });

  test.each([
    { name: 'a partial reference', yaml: '    url: "ws://${env:HOST}:18789"\n', code: 'SECRET_NOT_ALLOWED', path: 'sources[0] "home" › url' },
    { name: 'a malformed reference in a file path', yaml: '    token: { file: "${env:CRED-DIR}/t" }\n', code: 'SECRET_NOT_ALLOWED', path: 'sources[0] "home" › token.file' },
    { name: 'an empty file path', yaml: '    token: { file: "" }\n', code: 'SECRET_FILE_UNREADABLE', path: 'sources[0] "home" › token.file' },
    { name: 'a reference where no secret belongs', yaml: 'stateDir: ${env:STATE}\n', code: 'SECRET_NOT_ALLOWED', path: 'stateDir' },
  ])('without secrets, $name is still an error', ({ yaml, code, path }) => {
    const { errors } = load({ 'clawwarden.yaml': MINIMAL + yaml }, { resolveSecrets: false });
    expect(errors.map((e) => [e.code, e.path])).toEqual([[code, path]]);
  });

  test('schema messages about a secret never echo its value', () => {
    const { errors } = load({ 'clawwarden.yaml': 'sources:\n  - name: home\n    type: full\n    discover: ${env:FLAG}\n' }, { env: { FLAG: 'topsecretvalue' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('expected boolean, found a secret');
    expect(JSON.stringify(errors)).not.toContain('topsecretvalue');
  });
});

describe('policies', () => {
  const policy = (name: string, idle = '1h'): string => `- name: ${name}\n  when: { idle: "> ${idle}" }\n  do: stop\n`;

  test('a mix of inline policies, globs and plain file names, each remembering where it was written', () => {
    const { config, errors, dir } = load({
      'clawwarden.yaml': `${MINIMAL}policies:\n  - name: inline\n    when: { idle: "> 2h" }\n    do: stop\n  - lib/*.yaml\n  - single.yml\n`,
      'lib/a.yaml': policy('a1') + policy('a2'),
      'lib/b.yaml': `policies:\n${policy('b1').replace(/^/gm, '  ')}`,
      'lib/ignored.txt': 'not yaml',
      'single.yml': 'name: solo\nwhen: { idle: "> 3h" }\ndo: [ notify, stop ]\n',
    });
    expect(errors).toEqual([]);
    expect(config!.policies.map((p) => [p.name, p.origin.file, p.origin.line, p.origin.column, p.origin.path])).toEqual([
      ['inline', 'clawwarden.yaml', 5, 5, 'policies[0]'],
      ['a1', 'lib/a.yaml', 1, 3, 'policies[0]'],
      ['a2', 'lib/a.yaml', 4, 3, 'policies[1]'],
      ['b1', 'lib/b.yaml', 2, 5, 'policies[0]'],
      ['solo', 'single.yml', 1, 1, 'policy'],
    ]);
    expect(dir).toBeTruthy();
  });

  test('a single glob string, relative to the config file, not the working directory', () => {
    const dir = workspace({ 'etc/cw.yaml': `${MINIMAL}policies: ./policies/*.yaml\n`, 'etc/policies/p.yaml': policy('p') });
    const { config, errors } = loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'etc/cw.yaml' });
    expect(errors).toEqual([]);
    expect(config!.policies.map((p) => p.name)).toEqual(['p']);
  });

  test('a file matched by two globs is read once', () => {
    const { config, errors } = load({ 'clawwarden.yaml': `${MINIMAL}policies: [ "p/*.yaml", "p/x.yaml" ]\n`, 'p/x.yaml': policy('x') });
    expect(errors).toEqual([]);
    expect(config!.policies).toHaveLength(1);
  });
});

test('every error in every file is reported at once, ordered by file and position', () => {
  const { config, messages } = load({
    'clawwarden.yaml': `sources:
  - name: home
    type: full
    tokn: abc
mode: enforc
schedule: "61 * * * *"
http: { listen: localhost }
policies:
  - name: cap
    when: { tokens.total: "> 200k" }
    do: [ kil ]
  - more.yaml
`,
    'more.yaml': '- name: cap2\n  when: { idle: "> 5 parsecs" }\n  do: { cleanup: arhive }\n  scope: sesion\n',
  });
  expect(config).toBeUndefined();
  // The first line of each message; the code frame below it is tested on its own.
  expect(messages.map((m) => m.split('\n')[0])).toEqual([
    'clawwarden.yaml:4:5 sources[0] "home" › tokn: unknown key "tokn"; expected one of: name, type, url, token, discover, retries (did you mean "token"?)',
    'clawwarden.yaml:5:7 mode: unknown mode "enforc"; expected one of: enforce, dry-run (did you mean "enforce"?)',
    'clawwarden.yaml:6:11 schedule: invalid cron expression "61 * * * *": 61 is a invalid expression for minute',
    'clawwarden.yaml:7:17 http.listen: "localhost" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)',
    'clawwarden.yaml:11:11 policies[0] "cap" › do[0]: unknown action "kil"; expected one of: cleanup, compact, kill, notify, pause, resume, stop (did you mean "kill"?)',
    'more.yaml:2:17 policies[0] "cap2" › when.idle: found "5 parsecs": expected a duration like "90s", "30m", "1h", "7d", "2w" or "1h30m"',
    'more.yaml:3:18 policies[0] "cap2" › do.cleanup: unknown cleanup mode "arhive"; expected one of: archive, delete (did you mean "archive"?)',
    'more.yaml:4:10 policies[0] "cap2" › scope: unknown scope "sesion"; expected one of: session, agent, fleet (did you mean "session"?)',
  ]);
});

describe('which file is loaded', () => {
  test('--config names the file; a missing one is a clear error', () => {
    const dir = workspace({});
    const { errors } = loadConfigWith(testRegistries, { cwd: dir, env: {}, file: 'nope.yaml' });
    expect(errors).toEqual([{ code: 'CONFIG_NOT_FOUND', file: 'nope.yaml', line: 0, column: 0, path: '', message: 'config file not found' }]);
  });

  test('./clawwarden.yaml first, then the next file of the search path', () => {
    const second = workspace({ 'config.yaml': MINIMAL.replace('home', 'second') });
    const dir = workspace({});
    const searchPath = ['clawwarden.yaml', join(second, 'config.yaml')];
    expect(loadConfigWith(testRegistries, { cwd: dir, env: {}, searchPath }).config!.sources[0]!.name).toBe('second');
    writeFileSync(join(dir, 'clawwarden.yaml'), MINIMAL.replace('home', 'first'));
    expect(loadConfigWith(testRegistries, { cwd: dir, env: {}, searchPath }).config!.sources[0]!.name).toBe('first');
  });

  test('no file anywhere: the message names every place looked and suggests --demo', () => {
    const dir = workspace({});
    const { errors } = loadConfigWith(testRegistries, { cwd: dir, env: {} });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('CONFIG_NOT_FOUND');
    expect(errors[0]!.message).toBe('no config file found (looked for clawwarden.yaml, /etc/clawwarden/config.yaml); pass --config FILE, or try --demo');
  });

  test('demo loads the embedded text as <demo>', () => {
    const dir = workspace({});
    const { config, errors } = loadConfigWith(testRegistries, { cwd: dir, env: {}, demo: true, demoText: `${MINIMAL}mode: dry-run\n` });
    expect(errors).toEqual([]);
    expect(config!.file).toBe('<demo>');
    expect(config!.mode).toBe('dry-run');
  });
});
