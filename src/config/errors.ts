import { closest, editDistance, type ProblemCode } from '../domain/problem.js';
import { escapeControl } from './escape.js';

/** What kind of problem a config error is: the one union of problem codes (domain). */
export type ConfigErrorCode = ProblemCode;

/** One problem in the config or a policy file, located at file:line:column (1-based) with a readable path. */
export interface ConfigError {
  readonly code: ConfigErrorCode;
  /** The file as shown to the user: relative to the working directory when inside it, `<demo>` for the embedded config. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `policies[2] "idle-gpu" › do[0]`, `http.listen`; empty for whole-file problems. */
  readonly path: string;
  readonly message: string;
  /** The keys, names or values that would have been accepted. */
  readonly allowed?: readonly string[];
  /** The closest allowed value to what was written (a likely typo). */
  readonly suggestion?: string;
  /** `warning`: worth fixing, but the config still loads. Absent for errors. */
  readonly severity?: 'warning';
  /** The source line with a caret under the column, ready to print below the message (control characters escaped). */
  readonly frame?: string;
}

/** Thrown where a caller needs an exception (daemon start, reload); carries every error found. */
export class ConfigLoadError extends Error {
  readonly code = 'CONFIG';
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
    this.errors = errors;
  }
}

/**
 * `policies/caps.yaml:14:7 policies[2] "idle-gpu" › do[0]: unknown action "kil"; expected one of: notify, stop (did you mean "kill"?)`,
 * then the code frame when the error has one. Control characters of what the user wrote are shown escaped (`\x1b`).
 */
export function formatConfigError(error: ConfigError): string {
  const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  const path = error.path ? ` ${error.path}` : '';
  // Messages that already name every allowed value do not repeat them.
  const listed = error.allowed?.every((a) => error.message.includes(a)) ?? true;
  const allowed = error.allowed && error.allowed.length > 0 && !listed ? `; expected one of: ${error.allowed.join(', ')}` : '';
  const suggestion = error.suggestion !== undefined ? ` (did you mean "${error.suggestion}"?)` : '';
  const severity = error.severity === 'warning' ? 'warning: ' : '';
  const line = escapeControl(`${where}${path}: ${severity}${error.message}${allowed}${suggestion}`);
  return error.frame ? `${line}\n${error.frame}` : line;
}

/** The error with every text that may quote user input (file, path, message, allowed values, suggestion) escaped, for JSON and logs. */
export function escapedError(error: ConfigError): ConfigError {
  return {
    ...error,
    file: escapeControl(error.file),
    path: escapeControl(error.path),
    message: escapeControl(error.message),
    ...(error.allowed ? { allowed: error.allowed.map(escapeControl) } : {}),
    ...(error.suggestion !== undefined ? { suggestion: escapeControl(error.suggestion) } : {}),
  };
}

export { closest, editDistance };
