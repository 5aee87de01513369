import { describe, expect, test } from 'vitest';
import { formatConfigError, type ConfigError } from '../../src/config/errors.js';
import { codeFrame } from '../../src/config/frame.js';
import { load } from './fixture.js';

describe('codeFrame', () => {
  const text = 'sources:\n  - name: home\nmode: enforc\n';
  test.each([
    { name: 'the line with a caret under the column', line: 3, column: 7, frame: ['  3 | mode: enforc', '    |       ^'] },
    { name: 'column 1', line: 2, column: 1, frame: ['  2 |   - name: home', '    | ^'] },
    { name: 'a column past the end of the line points just after it', line: 3, column: 40, frame: ['  3 | mode: enforc', '    |             ^'] },
  ])('$name', ({ line, column, frame }) => {
    expect(codeFrame(text, line, column)!.split('\n')).toEqual(frame);
  });

  test('control characters are escaped and the caret stays under the same character', () => {
    // Column 10 is the "k" of key, after ESC [31m and a tab.
    const [source, caret] = codeFrame('a:\n  "\u001b[31m\tkey": x\n', 2, 10)!.split('\n');
    expect(source).toBe('  2 |   "\\x1b[31m\\tkey": x');
    expect(caret!.indexOf('^')).toBe(source!.indexOf('key'));
  });

  test('a long line is cut around the column', () => {
    const long = `x: [${'1, '.repeat(200)}oops]`;
    const column = long.indexOf('oops') + 1;
    const [source, caret] = codeFrame(long, 1, column)!.split('\n');
    expect(source!.length).toBeLessThan(140);
    expect(source).toMatch(/^ {2}1 \| …(1, )+oops]$/);
    expect(caret!.indexOf('^')).toBe(source!.indexOf('oops'));
  });

  test('the gutter widens from line 10; CRLF line ends are not shown', () => {
    const crlf = `${'a: 1\r\n'.repeat(9)}b: oops\r\n`;
    expect(codeFrame(crlf, 10, 4)!.split('\n')).toEqual(['  10 | b: oops', '     |    ^']);
  });

  test('no frame for a whole-file error or a line the text does not have', () => {
    expect(codeFrame(text, 0, 0)).toBeUndefined();
    expect(codeFrame(text, 9, 1)).toBeUndefined();
  });
});

describe('formatConfigError with a frame', () => {
  const error: ConfigError = {
    code: 'UNKNOWN_VALUE',
    file: 'clawwarden.yaml',
    line: 3,
    column: 7,
    path: 'mode',
    message: 'unknown mode "enforc"',
    allowed: ['enforce', 'dry-run'],
    suggestion: 'enforce',
    frame: '  3 | mode: enforc\n    |       ^',
  };
  test('the first line as always, the frame below it', () => {
    expect(formatConfigError(error)).toBe('clawwarden.yaml:3:7 mode: unknown mode "enforc"; expected one of: enforce, dry-run (did you mean "enforce"?)\n  3 | mode: enforc\n    |       ^');
  });

  test('a warning says so after the location', () => {
    expect(formatConfigError({ ...error, severity: 'warning', message: 'cooldown 30s is shorter', allowed: [], suggestion: undefined! }).split('\n')[0]).toBe(
      'clawwarden.yaml:3:7 mode: warning: cooldown 30s is shorter',
    );
  });
});

test('errors in policy files carry frames from their own file', () => {
  const { messages } = load({ 'clawwarden.yaml': 'sources:\n  - name: home\n    type: full\npolicies: p.yaml\n', 'p.yaml': '- name: cap\n  when: { idle: "> 1h" }\n  do: [ kil ]\n' });
  expect(messages).toHaveLength(1);
  expect(messages[0]!.split('\n')).toEqual([expect.stringMatching(/^p\.yaml:3:9 policies\[0\] "cap" › do\[0\]: unknown action "kil"/), '  3 |   do: [ kil ]', '    |         ^']);
});

test('a YAML syntax error is one message at its start, however much follows from it', () => {
  const { errors, messages } = load({
    'clawwarden.yaml': 'sources:\n  - name: home\n    type: full\nhttp: { listen: "127.0.0.1:9464"\nmode: enforce\nlogLevel: info\nsafety: { protect: [ "agent:*:main" }\n',
  });
  expect(errors).toHaveLength(1);
  expect(messages[0]!.split('\n')).toEqual([
    'clawwarden.yaml:4:7: this "{" is never closed: end the flow map with "}" (a flow map that goes on over several lines must indent them)',
    '  4 | http: { listen: "127.0.0.1:9464"',
    '    |       ^',
  ]);
});
