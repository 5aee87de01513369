import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../config/errors.js';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs with errors a person can act on: an unknown option gets a did-you-mean, and a negative number
 * after an option (`--tokens -5`) is taken as its value, so the option's own check explains it (not "ambiguous").
 */
export function parseCommandArgs(argv: readonly string[], options: Options, allowPositionals = true): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = /^--([\w-]+)$/.exec(arg)?.[1];
    const next = argv[i + 1];
    // `--tokens -5` is the value -5 given to --tokens: the option's own check then says what is wrong with it.
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`${arg}=${next}`);
      i++;
    } else args.push(arg);
  }
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const known = Object.keys(options).map((o) => `--${o}`);
      const hint = closest(unknown, known);
      throw new UsageError(`unknown option ${unknown}${hint ? `; did you mean ${hint}?` : `; expected one of: ${known.join(', ')}`}`);
    }
    const missing = /^Option '(-[^']*?)(?: <value>)?' argument missing/.exec(message)?.[1];
    if (missing !== undefined) throw new UsageError(`${missing.replace(/^-\w, /, '')} needs a value`);
    throw new UsageError(message);
  }
}

/** `did you mean "stop"?` for a mistyped word among `choices`, or nothing when none is close. */
export function didYouMean(found: string, choices: readonly string[]): string {
  const hint = closest(found, choices);
  return hint === undefined ? '' : `; did you mean "${hint}"?`;
}
