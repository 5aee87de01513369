// Characters that can drive a terminal or hide and reorder text: C0 controls, DEL, C1 controls, the zero-width
// marks, the line/paragraph separators and every bidirectional embedding, override and isolate (Trojan Source).
const CONTROL = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/gu;

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * User text made safe to print in one line: every control or invisible formatting character is written out
 * visibly (`\t`, `\n`, `\r`, `\x1b`, `\x00`, `\u202e`); everything else, backslashes included, is unchanged.
 * Idempotent, dependency-free; use it wherever a message, log line or API answer quotes user input.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => {
    const short = SHORT[char];
    if (short !== undefined) return short;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
