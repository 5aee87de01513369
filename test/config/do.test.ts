import { describe, expect, test } from 'vitest';
import { formatConfigError } from '../../src/config/errors.js';
import { load } from './fixture.js';

/**
 * A `do` item the policy schema rejects is reported once, as the schema says it, and never reaches compileAction
 * (src/actions/compile.ts keeps no check of its own for these). Each case loads a YAML file and pins file:line:column,
 * the path and the whole message.
 */
const SOURCE = 'sources:\n  - name: home\n    type: full\nnotifiers:\n  ops-chat: { type: webhook, url: https://x }\n';
const config = (items: string): string => `${SOURCE}policies:\n  - name: cap\n    when: { idle: "> 1h" }\n    do: ${items}\n`;

function at(text: string, marker: string): { line: number; column: number } {
  const index = text.indexOf(marker);
  if (index < 0) throw new Error(`marker ${marker} not in fixture`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const cases: { do: string; marker: string; code: string; path: string; message: string }[] = [
  { do: '[ { stop: true } ]', marker: 'true', code: 'SCHEMA', path: 'do[0].stop', message: 'expected null, found boolean true' },
  { do: '[ { cleanup: shred } ]', marker: 'shred', code: 'UNKNOWN_VALUE', path: 'do[0].cleanup', message: 'unknown cleanup mode "shred"; expected one of: archive, delete' },
  { do: '[ { notify: [] } ]', marker: '[] }', code: 'SCHEMA', path: 'do[0].notify', message: 'expected a non-empty list, found an empty list' },
  { do: '[ { notify: 5 } ]', marker: '5', code: 'SCHEMA', path: 'do[0].notify', message: '5 does not match any accepted form; expected one of: a notifier name, a list of notifier names' },
  { do: '[ { notify: "" } ]', marker: '""', code: 'SCHEMA', path: 'do[0].notify', message: 'expected a non-empty string, found ""' },
  { do: '[ { notify: [ops-chat, ""] } ]', marker: '""', code: 'SCHEMA', path: 'do[0].notify[1]', message: 'expected a non-empty string, found ""' },
  {
    do: '[ { kil: x } ]',
    marker: 'kil',
    code: 'UNKNOWN_KEY',
    path: 'do[0].kil',
    message: 'unknown key "kil"; expected one of: cleanup, compact, kill, notify, pause, resume, stop, notice (did you mean "kill"?)',
  },
  { do: '[ 42 ]', marker: '42', code: 'SCHEMA', path: 'do[0]', message: 'expected string or object, found number 42' },
  { do: '[]', marker: '[]', code: 'SCHEMA', path: 'do', message: 'expected a non-empty list, found an empty list' },
  {
    do: '[ { notice: 1h } ]',
    marker: '{ notice',
    code: 'SCHEMA',
    path: 'do[0]',
    message: 'expected the action "notice" delays beside it, e.g. { cleanup: archive, notice: 1h }, found a map',
  },
  { do: '[ { stop: null, kill: null } ]', marker: '{ stop', code: 'SCHEMA', path: 'do[0]', message: 'expected one action per item (write several actions as a list), found a map' },
];

describe('a do item the schema rejects: the schema says why, at file:line:column', () => {
  test.each(cases)('do: $do', (c) => {
    const text = config(c.do);
    const result = load({ 'clawwarden.yaml': text });
    expect(result.config).toBeUndefined();
    const pos = at(text, c.marker);
    const path = `policies[0] "cap" › ${c.path}`;
    expect(result.errors.map((e) => ({ code: e.code, file: e.file, line: e.line, column: e.column, path: e.path }))).toEqual([{ code: c.code, file: 'clawwarden.yaml', ...pos, path }]);
    expect(formatConfigError(result.errors[0]!).split('\n')[0]).toBe(`clawwarden.yaml:${pos.line}:${pos.column} ${path}: ${c.message}`);
  });
});
