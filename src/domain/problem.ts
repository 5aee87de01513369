/** One thing wrong with a policy: where (relative to the policy object, e.g. ['when','all',1,'tokens.total']), what, and what is allowed. */
export interface PolicyProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly allowed?: readonly string[];
}

/** Thrown by condition and action compilers; `path` is relative to the value they were given. */
export class PolicyValueError extends Error {
  override readonly name = 'PolicyValueError';
  constructor(
    readonly code: string,
    message: string,
    readonly path: readonly (string | number)[] = [],
    readonly allowed?: readonly string[],
  ) {
    super(message);
  }
}
