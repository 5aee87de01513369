/** What kind of problem a config or policy problem is: stable for tests and `--json` consumers. */
export type ProblemCode =
  /** No config file where one was looked for. */
  | 'CONFIG_NOT_FOUND'
  /** A config, policy or secret file cannot be read (missing, not a regular file, a timeout). */
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'YAML_SYNTAX'
  /** Nesting or alias expansion beyond what a config file may use. */
  | 'YAML_LIMIT'
  /** The schema rejects the value: wrong type, a required key missing, out of range, malformed. */
  | 'SCHEMA'
  /** The schema knows no such key here (an unknown setting, condition, policy key). */
  | 'UNKNOWN_KEY'
  /** The schema knows no such value here (an unknown mode, scope, action, plugin type). */
  | 'UNKNOWN_VALUE'
  | 'SECRET_ENV_MISSING'
  | 'SECRET_FILE_UNREADABLE'
  /** A secret reference where no secret belongs, or a secret written out in the file. */
  | 'SECRET_NOT_ALLOWED'
  /** A policy the schema accepts but that means nothing sound: a unit, zone, ladder, scope or cap that does not hold. */
  | 'POLICY'
  /** A policy file glob that matches no file. */
  | 'POLICY_FILES'
  | 'DUPLICATE_POLICY'
  | 'DUPLICATE_NAME'
  /** `notify:` names a notifier the config does not configure. */
  | 'UNKNOWN_NOTIFIER'
  /** An action no configured source can carry out. */
  | 'UNSUPPORTED_ACTION'
  | 'BAD_CRON'
  | 'BAD_GLOB'
  | 'BAD_LISTEN'
  | 'BAD_LIMIT'
  /** Warning: a cooldown or escalation step shorter than the time between sweeps. */
  | 'BELOW_SWEEP'
  /** Warning: a setting that changes nothing. */
  | 'NO_EFFECT'
  /** The count of problems beyond those listed. */
  | 'TOO_MANY_ERRORS';

/** One step into a config tree: a map key or a list index. */
export type Segment = string | number;

/** One thing wrong with a config value or a policy: what, where (relative to the value checked), and what is allowed. */
export interface Problem {
  readonly code: ProblemCode;
  /** E.g. ['when', 'all', 1, 'tokens.total'] relative to a policy. */
  readonly path: readonly Segment[];
  readonly message: string;
  /** The keys, names or values that would have been accepted. */
  readonly allowed?: readonly string[];
  /** The allowed value closest to what was written (a likely typo). */
  readonly suggestion?: string;
  /** `key`: the problem is the key at the end of `path` itself (an unknown key), so point at the key, not its value. */
  readonly target?: 'key';
  /** `warning`: worth fixing, but the policy still does something sensible. Absent for errors. */
  readonly severity?: 'warning';
}

/** A problem with a policy; paths are relative to the policy object. */
export type PolicyProblem = Problem;

/**
 * Thrown by condition and action compilers for a value the schema accepts but that does not make sense (a unit, a
 * period of 0s); `path` is relative to the value they were given. `code` is the plugin's own detail code
 * (`E_BURN`, a unit error's code); the problem it becomes is a POLICY problem.
 */
export class PolicyValueError extends Error {
  override readonly name = 'PolicyValueError';
  constructor(
    readonly code: string,
    message: string,
    readonly path: readonly Segment[] = [],
    readonly allowed?: readonly string[],
  ) {
    super(message);
  }
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
