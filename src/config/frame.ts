import { escapeControl } from './escape.js';

/** Characters of a long line shown on each side of the column. */
const CONTEXT = 60;

/**
 * The source line `line` of `text` with a caret under `column` (both 1-based), as TypeScript and ESLint show it:
 *
 * ```
 *   4 | mode: enforc
 *     |       ^
 * ```
 * Control characters are escaped (the caret moves with them); a long line is cut to the part around the column.
 * Undefined when the line does not exist.
 */
export function codeFrame(text: string, line: number, column: number): string | undefined {
  if (line < 1) return undefined;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const source = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
  const at = Math.min(Math.max(column - 1, 0), source.length);
  const from = Math.max(0, at - CONTEXT);
  const to = Math.min(source.length, at + CONTEXT);
  const before = (from > 0 ? '…' : '') + escapeControl(source.slice(from, at));
  const after = escapeControl(source.slice(at, to)) + (to < source.length ? '…' : '');
  const gutter = String(line);
  return `  ${gutter} | ${before}${after}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(before.length)}^`;
}
