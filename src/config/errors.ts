import { escapeControl } from './escape.js';

/** What kind of problem a config error is; stable for tests and `--json` consumers. */
export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'YAML_SYNTAX'
  | 'YAML_LIMIT'
  | 'SCHEMA'
  | 'UNKNOWN_KEY'
  | 'UNKNOWN_VALUE'
  | 'SECRET_ENV_MISSING'
  | 'SECRET_FILE_UNREADABLE'
  | 'SECRET_NOT_ALLOWED'
  | 'POLICY'
  | 'POLICY_FILES'
  | 'DUPLICATE_POLICY'
  | 'DUPLICATE_NAME'
  | 'UNKNOWN_NOTIFIER'
  | 'UNSUPPORTED_ACTION'
  | 'BAD_CRON'
  | 'BAD_GLOB'
  | 'BAD_LISTEN'
  | 'BAD_LIMIT'
  | 'BELOW_SWEEP'
  | 'NO_EFFECT'
  | 'TOO_MANY_ERRORS';

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

/** The allowed value closest to `found` by edit distance, if it is close enough to be a plausible typo. */
export function closest(found: string, allowed: readonly string[]): string | undefined {
  // The distance table is found × candidate long; nothing that long is a typo of a short name.
  if (found.length > 200) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(found.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the word may be wrong; beyond that a suggestion is noise.
  const limit = Math.max(1, Math.floor(Math.max(found.length, best?.length ?? 0) / 3));
  return best !== undefined && best !== found && bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const above = d[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[rows - 1]![cols - 1]!;
}
