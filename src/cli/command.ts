/** Where a command writes; injectable so tests can capture output without spawning. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Width of the terminal stdout is on; undefined when it is not a terminal (tables are then never shortened). */
  readonly columns?: number | undefined;
  /** Whether to colour output: stdout is a terminal and NO_COLOR is not set. */
  readonly color?: boolean;
}

/** One CLI command (`check`, `validate`, `sessions`, …). `run` returns the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}

/** A usage error: printed with the command's help hint, exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}
