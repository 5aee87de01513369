import type { ProblemCode } from '../../src/domain/problem.js';
import { MAX_CONFIG_BYTES, MAX_REPORTED_ERRORS } from '../../src/config/limits.js';

/** The one source of most cases: `full`, a test source that can take every action. */
export const SOURCE = 'sources:\n  - name: home\n    type: full\n';
const policy = (body: string): string => `${SOURCE}policies:\n  - name: cap\n${body}`;

/** One bad config (or workspace) and the one problem it must report. */
export interface Case {
  /** The main config (`clawwarden.yaml`), and any other files of the workspace. */
  readonly files: Record<string, string>;
  /** Load another file than clawwarden.yaml. */
  readonly load?: string;
  readonly env?: Record<string, string>;
  /** The file the problem is in (default clawwarden.yaml). */
  readonly file?: string;
  /** Where the problem points: the first occurrence of this text in that file, or 0:0 for a whole-file problem. */
  readonly marker?: string;
  readonly nth?: number;
  readonly path: string;
  readonly message: string;
  /** A warning (the config still loads) rather than an error. */
  readonly warning?: true;
  /** The problem to look at is the last one reported (the count of the rest), not the only one. */
  readonly last?: true;
}

/** The 1-based line and column of the nth occurrence of `marker` in `text`. */
export function at(text: string, marker: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) index = text.indexOf(marker, index + 1);
  if (index < 0) throw new Error(`marker ${marker} not in fixture`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

// One bad config per code: a Record over the union, so a new code does not compile without its case here.
export const cases: Record<ProblemCode, Case> = {
  CONFIG_NOT_FOUND: { files: {}, load: 'missing.yaml', file: 'missing.yaml', path: '', message: 'config file not found' },
  FILE_UNREADABLE: { files: { 'clawwarden.yaml/x': '' }, path: '', message: 'config file is not a regular file (directory)' },
  FILE_TOO_LARGE: { files: { 'clawwarden.yaml': `${SOURCE}#${'x'.repeat(MAX_CONFIG_BYTES)}\n` }, path: '', message: 'config file is larger than 256 KiB (256.0 KiB)' },
  YAML_SYNTAX: {
    files: { 'clawwarden.yaml': `${SOURCE}http: { listen: 127.0.0.1:9464\n` },
    marker: '{',
    path: '',
    message: 'this "{" is never closed: end the flow map with "}" (a flow map that goes on over several lines must indent them)',
  },
  YAML_LIMIT: {
    files: { 'clawwarden.yaml': `${SOURCE}mode: ${'['.repeat(70)}${']'.repeat(70)}\n` },
    marker: `${'['.repeat(5)}]`,
    path: '',
    message: 'collections nest deeper than 64 levels, the limit for config and policy files',
  },
  SCHEMA: { files: { 'clawwarden.yaml': `${SOURCE}journal:\n  keep: five\n` }, marker: 'five', path: 'journal.keep', message: 'expected integer, found string "five"' },
  UNKNOWN_KEY: {
    files: { 'clawwarden.yaml': policy('    when: { all: [ { idle: "> 1h" }, { tokens.totl: "> 200k" } ] }\n    do: stop\n') },
    marker: 'tokens.totl',
    path: 'policies[0] "cap" › when.all[1].tokens.totl',
    message:
      'unknown condition "tokens.totl"; expected one of: active, age, burn, cost, idle, idle.human, ratio.input_output, runtime, state, tokens.cache, tokens.input, tokens.output, tokens.total, all, any, not',
  },
  UNKNOWN_VALUE: {
    files: { 'clawwarden.yaml': policy('    scope: team\n    when: { cost: "> $5" }\n    do: stop\n') },
    marker: 'team',
    path: 'policies[0] "cap" › scope',
    message: 'unknown scope "team"; expected one of: session, agent, fleet',
  },
  SECRET_ENV_MISSING: { files: { 'clawwarden.yaml': `${SOURCE}http:\n  token: \${env:CW_TOKEN}\n` }, marker: '${env', path: 'http.token', message: 'environment variable CW_TOKEN is not set' },
  SECRET_FILE_UNREADABLE: {
    files: { 'clawwarden.yaml': `${SOURCE}    token: { file: ./empty }\n`, empty: '\n' },
    marker: './empty',
    path: 'sources[0] "home" › token.file',
    message: 'secret file <dir>/empty is empty',
  },
  SECRET_NOT_ALLOWED: {
    files: { 'clawwarden.yaml': `${SOURCE}stateDir: \${env:HOME}\n` },
    env: { HOME: '/root' },
    marker: '${env',
    path: 'stateDir',
    message: 'secret references are only read in sources, notifiers, http.token and guard.token',
  },
  POLICY: {
    files: { 'clawwarden.yaml': policy('    when: { cost: "> 25" }\n    do: stop\n') },
    marker: '"> 25"',
    path: 'policies[0] "cap" › when.cost',
    message: 'found "25": expected an amount in dollars like "$25" or "$0.50" (write "$25")',
  },
  POLICY_FILES: {
    files: { 'clawwarden.yaml': `${SOURCE}policies: ./polices/*.yaml\n` },
    marker: './polices',
    path: 'policies',
    message: 'no policy file matches "./polices/*.yaml" (relative to <dir>)',
  },
  DUPLICATE_POLICY: {
    files: { 'clawwarden.yaml': policy('    when: { idle: "> 1h" }\n    do: stop\n  - name: cap\n    when: { idle: "> 2h" }\n    do: stop\n') },
    marker: 'cap',
    nth: 2,
    path: 'policies[1] "cap" › name',
    message: 'duplicate policy name "cap"; first declared at clawwarden.yaml:5:11',
  },
  DUPLICATE_NAME: {
    files: { 'clawwarden.yaml': `${SOURCE}  - name: home\n    type: stoponly\n` },
    marker: 'home',
    nth: 2,
    path: 'sources[1] "home" › name',
    message: 'duplicate source name "home" (also sources[0])',
  },
  UNKNOWN_NOTIFIER: {
    files: { 'clawwarden.yaml': `${SOURCE}notifiers:\n  ops-chat: { type: webhook, url: https://x }\npolicies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: [ { notify: ops-caht }, stop ]\n` },
    marker: 'ops-caht',
    path: 'policies[0] "cap" › do[0].notify',
    message: 'unknown notifier "ops-caht"; expected one of: ops-chat',
  },
  UNSUPPORTED_ACTION: {
    files: { 'clawwarden.yaml': 'sources:\n  - name: home\n    type: stoponly\npolicies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: [ stop, kill ]\n' },
    marker: 'kill',
    path: 'policies[0] "cap" › do[1]',
    message: 'no configured source can kill; the sources can: stop (and notify)',
  },
  BAD_CRON: { files: { 'clawwarden.yaml': `${SOURCE}schedule: "*/5 * * *"\n` }, marker: '"*/5', path: 'schedule', message: 'invalid cron expression "*/5 * * *": expected 5 or 6 fields but got 4' },
  BAD_GLOB: {
    files: { 'clawwarden.yaml': policy('    match: { agent: "back[end" }\n    when: { idle: "> 1h" }\n    do: stop\n') },
    marker: '"back[end"',
    path: 'policies[0] "cap" › match.agent',
    message: 'bad glob "back[end": Missing closing: "]" - use "\\\\]" to match literal characters',
  },
  BAD_LISTEN: {
    files: { 'clawwarden.yaml': `${SOURCE}http:\n  listen: localhost\n` },
    marker: 'localhost',
    path: 'http.listen',
    message: '"localhost" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464)',
  },
  BAD_LIMIT: {
    files: { 'clawwarden.yaml': `${SOURCE}safety:\n  maxActionsPerSweep: "150%"\n` },
    marker: '"150%"',
    path: 'safety.maxActionsPerSweep',
    message: '"150%" is not a limit: expected a count of actions (e.g. 20) or a percentage of the sessions (e.g. "10%")',
  },
  BELOW_SWEEP: {
    files: { 'clawwarden.yaml': policy('    when: { tokens.total: "> 200k" }\n    do: stop\n    cooldown: 30s\n') },
    marker: '30s',
    path: 'policies[0] "cap" › cooldown',
    message: 'cooldown 30s is shorter than the time between sweeps (1m): it only spaces out repeats triggered by usage events; every sweep may act again',
    warning: true,
  },
  NO_EFFECT: {
    files: { 'clawwarden.yaml': policy('    window: { every: day }\n    when: { idle: "> 1h" }\n    do: stop\n') },
    marker: '{ every',
    path: 'policies[0] "cap" › window',
    message: 'the window has no effect: it limits the usage that is summed, and no condition in "when" reads usage (tokens, cost, ratio, burn)',
    warning: true,
  },
  TOO_MANY_ERRORS: {
    files: { 'clawwarden.yaml': `${SOURCE}${Array.from({ length: MAX_REPORTED_ERRORS + 5 }, (_, i) => `unknown${i}: 1\n`).join('')}` },
    path: '',
    message: `5 more not shown (at most ${MAX_REPORTED_ERRORS} are listed); fix these and validate again`,
    last: true,
  },
};
