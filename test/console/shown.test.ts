import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/config/escape.js';

// The console's own module, loaded in Node: shown() touches no DOM. The console ships plain browser
// JavaScript and no type declarations (every file in console/ is served and packed), so the one
// function used here is typed at the import.
const consoleFormat: string = '../../console/format.js';
const { shown } = (await import(consoleFormat)) as { shown: (text: unknown) => string };

describe('console shown()', () => {
  it('writes out every control, zero-width and bidi character exactly as the CLI and logs do (src/config/escape.ts)', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const text = `a${String.fromCharCode(code)}b`;
      expect(shown(text), `U+${code.toString(16)}`).toBe(escapeControl(text));
    }
  });

  it('makes a Trojan Source key visible instead of reversed', () => {
    expect(shown('agent:main:\u202egnol\u202c')).toBe('agent:main:\\u202egnol\\u202c');
    expect(shown('ok\u001b[31m')).toBe('ok\\x1b[31m');
  });
});
