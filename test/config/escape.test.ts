import { describe, expect, test } from 'vitest';
import { escapeControl } from '../../src/config/escape.js';
import { formatConfigError } from '../../src/config/errors.js';
import { load } from './fixture.js';

// Any character a terminal or a bidi-aware viewer would act on instead of showing.
const RAW_CONTROL = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

describe('escapeControl', () => {
  test.each([
    ['plain text', 'kill', 'kill'],
    ['ESC of a colour sequence', '\u001b[31mred', '\\x1b[31mred'],
    ['NUL', 'a\u0000b', 'a\\x00b'],
    ['tab, newline, carriage return', 'a\tb\nc\rd', 'a\\tb\\nc\\rd'],
    ['DEL', 'a\u007f', 'a\\x7f'],
    ['C1 CSI', 'a\u009b2J', 'a\\x9b2J'],
    ['right-to-left override (Trojan Source)', 'dry\u202erun', 'dry\\u202erun'],
    ['bidi isolates', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['zero-width space and BOM', 'ki\u200bll\ufeff', 'ki\\u200bll\\ufeff'],
    ['non-ASCII text stays', 'Grüße › 東京 🙂', 'Grüße › 東京 🙂'],
    ['backslashes stay', 'C:\\x1b', 'C:\\x1b'],
  ])('%s', (_, input, expected) => {
    expect(escapeControl(input)).toBe(expected);
    expect(escapeControl(expected)).toBe(expected);
  });
});

describe('config errors never print what a key or value would do to a terminal', () => {
  test('a key with ESC[31m and NUL, a value with U+202E, a policy file name with ESC: escaped in the message, path, suggestion and frame', () => {
    const { errors, messages } = load({
      'clawwarden.yaml': 'sources:\n  - name: home\n    type: full\n    "\u001b[31mtoken\u0000": x\nmode: "dry\u202erun"\npolicies: ["p\u001bc\u0007.yaml"]\n',
      'p\u001bc\u0007.yaml': '- name: cap\n  when: { idle: "> 1h" }\n  do: [ "kil\u001b[2J" ]\n',
    });
    expect(messages).toHaveLength(3);
    // Each message is its line and the frame's two lines; none holds a raw control character.
    for (const message of messages) for (const line of message.split('\n')) expect(line).not.toMatch(RAW_CONTROL);
    for (const error of errors) expect(JSON.stringify(error)).not.toMatch(RAW_CONTROL);
    const [key, mode, action] = messages.map((m) => m.split('\n'));
    expect(key![0]).toBe('clawwarden.yaml:4:5 sources[0] "home" › \\x1b[31mtoken\\x00: unknown key "\\x1b[31mtoken\\x00"; expected one of: name, type, url, token, discover, retries');
    expect(key![1]).toBe('  4 |     "\\x1b[31mtoken\\x00": x');
    expect(mode![0]).toContain('unknown mode "dry\\u202erun"');
    expect(mode![0]).toContain('(did you mean "dry-run"?)');
    expect(action![0]).toMatch(/^p\\x1bc\\x07\.yaml:3:9 policies\[0\] "cap" › do\[0\]: unknown action "kil\\x1b\[2J"/);
  });

  test('errors built by hand are escaped when formatted', () => {
    const text = formatConfigError({ code: 'UNKNOWN_VALUE', file: 'a\u001b.yaml', line: 1, column: 1, path: 'x\u0000', message: 'unknown "\u202e"', allowed: ['o\u0007k'], suggestion: '\u001bk' });
    expect(text).toBe('a\\x1b.yaml:1:1 x\\x00: unknown "\\u202e"; expected one of: o\\x07k (did you mean "\\x1bk"?)');
  });
});
