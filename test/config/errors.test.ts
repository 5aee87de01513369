import { describe, expect, test } from 'vitest';
import type { ConfigErrorCode } from '../../src/config/errors.js';
import { formatConfigError } from '../../src/config/errors.js';
import { load } from './fixture.js';

/** 1-based line:column of the first occurrence of `marker` in `text` (optionally the n-th). */
function at(text: string, marker: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) index = text.indexOf(marker, index + 1);
  if (index < 0) throw new Error(`marker ${marker} not in fixture`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const SOURCE = 'sources:\n  - name: home\n    type: full\n';
const policy = (body: string): string => `${SOURCE}policies:\n${body}`;

interface Case {
  readonly name: string;
  readonly config: string;
  readonly files?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly code: ConfigErrorCode;
  /** File the error is in (default the main config). */
  readonly file?: string;
  /** Text the error points at: its first occurrence (or `nth`) in that file. */
  readonly marker: string;
  readonly nth?: number;
  readonly path: string;
  readonly message: string;
  readonly allowed?: readonly string[];
  readonly suggestion?: string;
}

const cases: Case[] = [
  {
    name: 'YAML syntax: an unclosed { is reported where it opened',
    config: `${SOURCE}http: { listen: 127.0.0.1:9464\nmode: enforce\n`,
    code: 'YAML_SYNTAX',
    marker: '{',
    path: '',
    message: 'this "{" is never closed: end the flow map with "}"',
  },
  {
    name: 'YAML syntax: an unclosed [ is reported where it opened',
    config: `${SOURCE}safety:\n  protect: [ "agent:*:main", "agent:*:ops"\nmode: enforce\n`,
    code: 'YAML_SYNTAX',
    marker: '[',
    path: '',
    message: 'this "[" is never closed: end the flow sequence with "]"',
  },
  {
    name: 'YAML syntax: an unquoted ${env:…} in a flow map',
    config: 'sources:\n  - { name: home, type: full, token: ${env:GW_TOKEN} }\n',
    code: 'YAML_SYNTAX',
    marker: '${env:GW_TOKEN}',
    path: '',
    message: 'quote it: "${env:GW_TOKEN}"',
  },
  {
    name: 'YAML syntax: an unquoted ${env:…} path in a flow map',
    config: `${SOURCE}    token: { file: \${env:CREDENTIALS_DIRECTORY}/gateway-token }\n`,
    code: 'YAML_SYNTAX',
    marker: '${env:CRED',
    path: '',
    message: 'quote it: "${env:CREDENTIALS_DIRECTORY}/gateway-token"',
  },
  {
    name: 'YAML syntax: a bare > in a flow map',
    config: policy('  - name: cap\n    when: { tokens.total: > 200k }\n    do: stop\n'),
    code: 'YAML_SYNTAX',
    marker: '> 200k',
    path: '',
    message: 'quote it: "> 200k"',
  },
  {
    name: 'YAML syntax: a bare > in a block map',
    config: policy('  - name: cap\n    when:\n      tokens.total: > 200k\n    do: stop\n'),
    code: 'YAML_SYNTAX',
    marker: '> 200k',
    path: '',
    message: 'quote it: "> 200k"',
  },
  {
    name: 'YAML syntax: a bare >= in a flow list',
    config: policy('  - name: cap\n    when: { all: [ { tokens.total: >= 1M }, { idle: "> 1h" } ] }\n    do: stop\n'),
    code: 'YAML_SYNTAX',
    marker: '>= 1M',
    path: '',
    message: 'quote it: ">= 1M"',
  },
  {
    name: 'YAML syntax: a } with nothing open',
    config: `${SOURCE}http: { listen: "127.0.0.1:9464" } }\n`,
    code: 'YAML_SYNTAX',
    marker: '}\n',
    path: '',
    message: 'unexpected "}": there is no "{" open here',
  },
  {
    name: 'YAML syntax: a duplicate key',
    config: `${SOURCE}mode: enforce\nmode: dry-run\n`,
    code: 'YAML_SYNTAX',
    marker: 'mode',
    nth: 2,
    path: '',
    message: 'duplicate key "mode" (first at line 4, column 1)',
  },
  { name: 'YAML syntax: an alias before its anchor', config: `${SOURCE}mode: *m\nlogLevel: &m info\n`, code: 'YAML_SYNTAX', marker: '*m', path: '', message: 'alias *m has no anchor &m before it' },
  { name: 'YAML syntax: two documents', config: `${SOURCE}---\nmode: enforce\n`, code: 'YAML_SYNTAX', marker: '---', path: '', message: 'holds one YAML document' },
  {
    name: 'unknown top-level key',
    config: `${SOURCE}scheduel: "* * * * *"\n`,
    code: 'UNKNOWN_KEY',
    marker: 'scheduel',
    path: 'scheduel',
    message: 'unknown key "scheduel"',
    allowed: ['schedule', 'sources', 'policies'],
    suggestion: 'schedule',
  },
  {
    name: 'unknown source type',
    config: 'sources:\n  - name: home\n    type: fulll\n',
    code: 'UNKNOWN_VALUE',
    marker: 'fulll',
    path: 'sources[0] "home" › type',
    message: 'unknown type "fulll"',
    allowed: ['full', 'stoponly'],
    suggestion: 'full',
  },
  {
    name: 'unknown source option (from the module schema)',
    config: `${SOURCE}    dicsover: true\n`,
    code: 'UNKNOWN_KEY',
    marker: 'dicsover',
    path: 'sources[0] "home" › dicsover',
    message: 'unknown key "dicsover"',
    allowed: ['url', 'token', 'discover'],
    suggestion: 'discover',
  },
  {
    name: 'source option of the wrong type',
    config: `${SOURCE}    retries: lots\n`,
    code: 'SCHEMA',
    marker: 'lots',
    path: 'sources[0] "home" › retries',
    message: 'expected integer, found string "lots"',
  },
  { name: 'source missing its type', config: 'sources:\n  - name: home\n', code: 'SCHEMA', marker: 'name', path: 'sources[0] "home"', message: 'missing required key "type"' },
  { name: 'no sources', config: 'mode: enforce\n', code: 'SCHEMA', marker: 'mode', path: '', message: 'missing required key "sources"' },
  {
    name: 'duplicate source names',
    config: `${SOURCE}  - name: home\n    type: stoponly\n`,
    code: 'DUPLICATE_NAME',
    marker: 'home',
    nth: 2,
    path: 'sources[1] "home" › name',
    message: 'duplicate source name "home"',
  },
  { name: 'mode', config: `${SOURCE}mode: dryrun\n`, code: 'UNKNOWN_VALUE', marker: 'dryrun', path: 'mode', message: 'unknown mode "dryrun"', allowed: ['enforce', 'dry-run'], suggestion: 'dry-run' },
  { name: 'log level', config: `${SOURCE}logLevel: warning\n`, code: 'UNKNOWN_VALUE', marker: 'warning', path: 'logLevel', message: 'unknown value "warning"', allowed: ['warn', 'info', 'debug'] },
  { name: 'wrong type in a section', config: `${SOURCE}journal:\n  keep: five\n`, code: 'SCHEMA', marker: 'five', path: 'journal.keep', message: 'expected integer' },
  {
    name: 'bad cron',
    config: `${SOURCE}schedule: "*/5 * * *"\n`,
    code: 'BAD_CRON',
    marker: '"*/5',
    path: 'schedule',
    message: 'invalid cron expression "*/5 * * *": expected 5 or 6 fields but got 4',
  },
  { name: 'cron field out of range', config: `${SOURCE}schedule: "0 25 * * *"\n`, code: 'BAD_CRON', marker: '"0 25', path: 'schedule', message: '25 is a invalid expression for hour' },
  { name: 'http.listen not host:port', config: `${SOURCE}http:\n  listen: 9464\n`, code: 'SCHEMA', marker: '9464', path: 'http.listen', message: 'expected string' },
  { name: 'http.listen without port', config: `${SOURCE}http:\n  listen: localhost\n`, code: 'BAD_LISTEN', marker: 'localhost', path: 'http.listen', message: '"localhost" is not host:port' },
  { name: 'http.listen port out of range', config: `${SOURCE}http:\n  listen: "127.0.0.1:70000"\n`, code: 'BAD_LISTEN', marker: '"127', path: 'http.listen', message: 'port 70000 is out of range' },
  {
    name: 'blast-radius limit',
    config: `${SOURCE}safety:\n  maxActionsPerSweep: ten\n`,
    code: 'BAD_LIMIT',
    marker: 'ten',
    path: 'safety.maxActionsPerSweep',
    message: 'expected a count of actions (e.g. 20) or a percentage',
  },
  {
    name: 'blast-radius percent over 100',
    config: `${SOURCE}safety:\n  maxActionsPerSweep: "150%"\n`,
    code: 'BAD_LIMIT',
    marker: '"150%"',
    path: 'safety.maxActionsPerSweep',
    message: '"150%" is not a limit',
  },
  {
    name: 'bad protect glob',
    config: `${SOURCE}safety:\n  protect: ["agent:*:main", "agent:[main"]\n`,
    code: 'BAD_GLOB',
    marker: '"agent:[main"',
    path: 'safety.protect[1]',
    message: 'bad glob "agent:[main": Missing closing: "]"',
  },
  {
    name: 'unknown safety key',
    config: `${SOURCE}safety:\n  protected: []\n`,
    code: 'UNKNOWN_KEY',
    marker: 'protected',
    path: 'safety.protected',
    message: 'unknown key "protected"',
    allowed: ['maxActionsPerSweep', 'protect'],
    suggestion: 'protect',
  },
  {
    name: 'unknown notifier type',
    config: `${SOURCE}notifiers:\n  ops: { type: slack, url: https://x }\n`,
    code: 'UNKNOWN_VALUE',
    marker: 'slack',
    path: 'notifiers.ops.type',
    message: 'unknown type "slack"',
    allowed: ['email', 'webhook'],
  },
  {
    name: 'notifier option (from the notifier module schema)',
    config: `${SOURCE}notifiers:\n  ops: { type: webhook, url: https://x, format: slak }\n`,
    code: 'UNKNOWN_VALUE',
    marker: 'slak',
    path: 'notifiers.ops.format',
    message: 'unknown format "slak"',
    allowed: ['json', 'slack'],
    suggestion: 'slack',
  },
  {
    name: 'notifier missing a required option',
    config: `${SOURCE}notifiers:\n  ops:\n    type: webhook\n`,
    code: 'SCHEMA',
    marker: 'type: webhook',
    path: 'notifiers.ops',
    message: 'missing required key "url"',
  },
  {
    name: 'missing secret env variable',
    config: `${SOURCE}http:\n  token: \${env:CW_TOKEN}\n`,
    code: 'SECRET_ENV_MISSING',
    marker: '${env:CW_TOKEN}',
    path: 'http.token',
    message: 'environment variable CW_TOKEN is not set',
  },
  {
    name: 'missing env variable in a secret file path',
    config: `${SOURCE}    token: { file: "\${env:CREDENTIALS_DIRECTORY}/gateway-token" }\n`,
    code: 'SECRET_ENV_MISSING',
    marker: '"${env:CRED',
    path: 'sources[0] "home" › token.file',
    message: 'environment variable CREDENTIALS_DIRECTORY (used in the secret file path) is not set',
  },
  {
    name: 'unreadable secret file',
    config: `${SOURCE}    token: { file: ./no-such-token }\n`,
    code: 'SECRET_FILE_UNREADABLE',
    marker: './no-such',
    path: 'sources[0] "home" › token.file',
    message: 'cannot read secret file',
  },
  {
    name: 'empty secret file',
    config: `${SOURCE}    token: { file: ./empty }\n`,
    files: { empty: '\n' },
    code: 'SECRET_FILE_UNREADABLE',
    marker: './empty',
    path: 'sources[0] "home" › token.file',
    message: 'is empty',
  },
  {
    name: 'secret reference where no secret belongs',
    config: `${SOURCE}stateDir: \${env:HOME}\n`,
    env: { HOME: '/root' },
    code: 'SECRET_NOT_ALLOWED',
    marker: '${env:HOME}',
    path: 'stateDir',
    message: 'secret references are only read in sources, notifiers, http.token and guard.token',
  },
  {
    name: 'API token written in the file',
    config: `${SOURCE}http:\n  token: hunter2\n`,
    code: 'SECRET_NOT_ALLOWED',
    marker: 'hunter2',
    path: 'http.token',
    message: 'the API token must not be written in the file',
  },
  { name: 'a policy entry that is neither a map nor a glob', config: `${SOURCE}policies:\n  - 42\n`, code: 'SCHEMA', marker: '42', path: 'policies[0]', message: 'expected object, found number 42' },
  {
    name: 'partial secret reference',
    config: `${SOURCE}    url: "ws://\${env:HOST}:18789"\n`,
    env: { HOST: 'x' },
    code: 'SECRET_NOT_ALLOWED',
    marker: '"ws://',
    path: 'sources[0] "home" › url',
    message: 'must be the whole value',
  },
  {
    name: 'policy: unknown action (design example)',
    config: `${SOURCE}policies: ./policies/caps.yaml\n`,
    files: {
      'policies/caps.yaml':
        'policies:\n  - name: a\n    when: { idle: "> 1h" }\n    do: stop\n  - name: b\n    when: { idle: "> 2h" }\n    do: stop\n  - name: idle-gpu\n    when: { idle: "> 24h" }\n    do: [ kil ]\n',
    },
    file: 'policies/caps.yaml',
    code: 'UNKNOWN_VALUE',
    marker: 'kil',
    path: 'policies[2] "idle-gpu" › do[0]',
    message: 'unknown action "kil"',
    allowed: ['notify', 'stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'],
    suggestion: 'kill',
  },
  {
    name: 'policy: unknown condition',
    config: policy('  - name: cap\n    when:\n      all:\n        - idle: "> 1h"\n        - tokens.totl: "> 200k"\n    do: stop\n'),
    code: 'UNKNOWN_KEY',
    marker: 'tokens.totl',
    path: 'policies[0] "cap" › when.all[1].tokens.totl',
    message: 'unknown condition "tokens.totl"; expected one of: active, age,',
    allowed: ['tokens.total', 'idle', 'burn', 'all', 'any', 'not'],
    suggestion: 'tokens.total',
  },
  {
    name: 'policy: unknown policy key',
    config: policy('  - name: cap\n    when: { idle: "> 1h" }\n    do: stop\n    cooldwn: 5m\n'),
    code: 'UNKNOWN_KEY',
    marker: 'cooldwn',
    path: 'policies[0] "cap" › cooldwn',
    message: 'unknown policy key "cooldwn"; expected one of: name,',
    allowed: ['name', 'match', 'when', 'do', 'escalate', 'cooldown'],
    suggestion: 'cooldown',
  },
  { name: 'policy: missing do', config: policy('  - name: cap\n    when: { idle: "> 1h" }\n'), code: 'SCHEMA', marker: 'name: cap', path: 'policies[0] "cap"', message: 'missing required key "do"' },
  {
    name: 'policy: negative threshold',
    config: policy('  - name: cap\n    when: { tokens.total: "> -5" }\n    do: stop\n'),
    code: 'POLICY',
    marker: '"> -5"',
    path: 'policies[0] "cap" › when.tokens.total',
    message: 'negative',
  },
  {
    name: 'policy: unit-less money',
    config: policy('  - name: cap\n    when: { cost: "> 25" }\n    do: stop\n'),
    code: 'POLICY',
    marker: '"> 25"',
    path: 'policies[0] "cap" › when.cost',
    message: '"$25"',
  },
  {
    name: 'policy: unit-less duration',
    config: policy('  - name: cap\n    when: { idle: "> 24" }\n    do: stop\n'),
    code: 'POLICY',
    marker: '"> 24"',
    path: 'policies[0] "cap" › when.idle',
    message: 'duration',
  },
  {
    name: 'policy: bad duration',
    config: policy('  - name: cap\n    when: { idle: "> 1h" }\n    do: stop\n    cooldown: 30 minutes\n'),
    code: 'POLICY',
    marker: '30 minutes',
    path: 'policies[0] "cap" › cooldown',
    message: 'found "30 minutes"',
  },
  {
    name: 'policy: unknown time zone',
    config: policy('  - name: cap\n    scope: agent\n    window: { every: day, tz: Europe/Berln }\n    when: { cost: "> $5" }\n    do: pause\n'),
    code: 'POLICY',
    marker: 'Europe/Berln',
    path: 'policies[0] "cap" › window.tz',
    message: 'unknown time zone "Europe/Berln"',
  },
  {
    name: 'policy: escalate if',
    config: policy('  - name: cap\n    when: { idle: "> 1h" }\n    do: stop\n    escalate:\n      - { after: 5m, if: idle, do: kill }\n'),
    code: 'UNKNOWN_VALUE',
    marker: 'idle, do',
    path: 'policies[0] "cap" › escalate[0].if',
    message: 'unknown value "idle"',
    allowed: ['active'],
  },
  {
    name: 'policy: unknown notifier',
    config: `${SOURCE}notifiers:\n  ops-chat: { type: webhook, url: https://x }\npolicies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: [ { notify: ops-caht }, stop ]\n`,
    code: 'UNKNOWN_NOTIFIER',
    marker: 'ops-caht',
    path: 'policies[0] "cap" › do[0].notify',
    message: 'unknown notifier "ops-caht"',
    allowed: ['ops-chat'],
    suggestion: 'ops-chat',
  },
  {
    name: 'policy: action no source can perform',
    config: 'sources:\n  - name: home\n    type: stoponly\npolicies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: [ stop, kill ]\n',
    code: 'UNSUPPORTED_ACTION',
    marker: 'kill',
    path: 'policies[0] "cap" › do[1]',
    message: 'no configured source can kill',
    allowed: ['notify', 'stop'],
  },
  {
    name: 'policy: bad match glob',
    config: policy('  - name: cap\n    match: { agent: "back[end" }\n    when: { idle: "> 1h" }\n    do: stop\n'),
    code: 'BAD_GLOB',
    marker: '"back[end"',
    path: 'policies[0] "cap" › match.agent',
    message: 'bad glob "back[end"',
  },
  {
    name: 'policy: duplicate name across files',
    config: `${SOURCE}policies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: stop\n  - extra/*.yaml\n`,
    files: { 'extra/more.yaml': '- name: cap\n  when: { idle: "> 2h" }\n  do: stop\n' },
    file: 'extra/more.yaml',
    code: 'DUPLICATE_POLICY',
    marker: 'cap',
    path: 'policies[0] "cap" › name',
    message: 'duplicate policy name "cap"; first declared at clawwarden.yaml:5:11',
  },
  {
    name: 'policy file glob matches nothing',
    config: `${SOURCE}policies: ./polices/*.yaml\n`,
    code: 'POLICY_FILES',
    marker: './polices',
    path: 'policies',
    message: 'no policy file matches "./polices/*.yaml"',
  },
  { name: 'bad policy file glob', config: `${SOURCE}policies: [ "policies/[a.yaml" ]\n`, code: 'BAD_GLOB', marker: '"policies/[a', path: 'policies[0]', message: 'bad glob "policies/[a.yaml"' },
  {
    name: 'YAML syntax in a policy file',
    config: `${SOURCE}policies: p.yaml\n`,
    files: { 'p.yaml': '- name: a\n  when: { idle: "> 1h"\n  do: stop\n' },
    file: 'p.yaml',
    code: 'YAML_SYNTAX',
    marker: '{',
    path: '',
    message: 'this "{" is never closed',
  },
  { name: 'sweeps every second', config: `${SOURCE}schedule: "* * * * * *"\n`, code: 'BAD_CRON', marker: '"* * * * * *"', path: 'schedule', message: 'sweeps must be at least 2 s apart' },
  { name: 'sweeps 1 s apart at times', config: `${SOURCE}schedule: "0,1,30 * * * * *"\n`, code: 'BAD_CRON', marker: '"0,1,30', path: 'schedule', message: '"0,1,30 * * * * *" sweeps 1 s apart' },
  {
    name: 'policy: warn at 100%',
    config: policy('  - name: cap\n    when: { cost: "> $25" }\n    warn: 100%\n    do: stop\n'),
    code: 'POLICY',
    marker: '100%',
    path: 'policies[0] "cap" › warn',
    message: 'warn 100% is not below 100%',
  },
  {
    name: 'policy: warn over 100%',
    config: policy('  - name: cap\n    when: { cost: "> $25" }\n    warn: 150%\n    do: stop\n'),
    code: 'POLICY',
    marker: '150%',
    path: 'policies[0] "cap" › warn',
    message: 'use a level below 100%',
  },
  {
    name: 'secret file that is a directory',
    config: `${SOURCE}    token: { file: ./creds }\n`,
    files: { 'creds/x': 'x' },
    code: 'SECRET_FILE_UNREADABLE',
    marker: './creds',
    path: 'sources[0] "home" › token.file',
    message: 'is not a regular file (directory)',
  },
  {
    name: 'secret file that is a character device',
    config: `${SOURCE}    token: { file: /dev/zero }\n`,
    code: 'SECRET_FILE_UNREADABLE',
    marker: '/dev/zero',
    path: 'sources[0] "home" › token.file',
    message: 'secret file /dev/zero is not a regular file (character device)',
  },
  {
    name: 'secret file over 64 KiB',
    config: `${SOURCE}    token: { file: ./big }\n`,
    files: { big: 'x'.repeat(64 * 1024 + 1) },
    code: 'SECRET_FILE_UNREADABLE',
    marker: './big',
    path: 'sources[0] "home" › token.file',
    message: 'is larger than 64 KiB',
  },
  {
    name: 'secret file path with a malformed reference',
    config: `${SOURCE}    token: { file: "\${env:CREDS-DIR}/token" }\n`,
    code: 'SECRET_NOT_ALLOWED',
    marker: '"${env:CREDS',
    path: 'sources[0] "home" › token.file',
    message: 'may only use ${env:NAME} references',
  },
];

describe('every error kind carries file:line:column, the path, and what is allowed', () => {
  test.each(cases)('$name', (c) => {
    const result = load({ 'clawwarden.yaml': c.config, ...(c.files ?? {}) }, { env: c.env ?? {} });
    expect(result.config).toBeUndefined();
    expect(result.messages).toHaveLength(1);
    const error = result.errors[0]!;
    const file = c.file ?? 'clawwarden.yaml';
    const text = file === 'clawwarden.yaml' ? c.config : c.files![file]!;
    const pos = at(text, c.marker, c.nth);
    expect({ code: error.code, file: error.file, line: error.line, column: error.column, path: error.path }).toEqual({ code: c.code, file, ...pos, path: c.path });
    expect(error.message).toContain(c.message);
    for (const allowed of c.allowed ?? []) expect(error.allowed).toContain(allowed);
    expect(error.suggestion).toBe(c.suggestion);
    const formatted = formatConfigError(error);
    expect(formatted.startsWith(`${file}:${pos.line}:${pos.column}${c.path ? ` ${c.path}` : ''}: `)).toBe(true);
    // Below the message: the source line, and a caret under the column.
    const [, source, caret, ...rest] = formatted.split('\n');
    expect(source).toBe(`  ${pos.line} | ${text.split('\n')[pos.line - 1]}`);
    expect(caret).toBe(`  ${' '.repeat(String(pos.line).length)} | ${' '.repeat(pos.column - 1)}^`);
    expect(rest).toEqual([]);
    if (c.suggestion !== undefined) expect(formatted).toContain(`(did you mean "${c.suggestion}"?)`);
    for (const allowed of c.allowed ?? []) expect(formatted).toContain(allowed);
  });
});
