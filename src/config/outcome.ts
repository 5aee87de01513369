import { escapedError, type ConfigError } from './errors.js';
import { codeFrame } from './frame.js';
import { MAX_REPORTED_ERRORS } from './limits.js';
import type { YamlFile } from './yaml-file.js';

/**
 * The errors (or warnings) as reported: ordered by file and position, at most MAX_REPORTED_ERRORS of them (one more
 * line counts the rest, `incomplete` when not all were looked at), every quoted text escaped, and each located error
 * given the code frame of its source line.
 */
export function finishErrors(errors: readonly ConfigError[], files: ReadonlyMap<string, YamlFile>, incomplete = false): ConfigError[] {
  const sorted = sortErrors(errors);
  const shown = sorted.slice(0, MAX_REPORTED_ERRORS).map((error) => {
    const text = files.get(error.file)?.text;
    const frame = text !== undefined ? codeFrame(text, error.line, error.column) : undefined;
    return escapedError(frame !== undefined ? { ...error, frame } : error);
  });
  const rest = sorted.length - shown.length;
  if (rest > 0) {
    const last = sorted[MAX_REPORTED_ERRORS]!;
    const more = `${incomplete ? 'over ' : ''}${rest} more not shown (at most ${MAX_REPORTED_ERRORS} are listed); fix these and validate again`;
    shown.push(escapedError({ code: 'TOO_MANY_ERRORS', file: last.file, line: 0, column: 0, path: '', message: more, ...(last.severity ? { severity: last.severity } : {}) }));
  }
  return shown;
}

/** Errors by file (main file first, as met), then position. */
export function sortErrors(errors: readonly ConfigError[]): ConfigError[] {
  const order = new Map<string, number>();
  for (const e of errors) if (!order.has(e.file)) order.set(e.file, order.size);
  return [...errors].sort((a, b) => order.get(a.file)! - order.get(b.file)! || a.line - b.line || a.column - b.column);
}
