import { describe, expect, test } from 'vitest';
import { escapeControl } from '../../src/config/escape.js';

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
