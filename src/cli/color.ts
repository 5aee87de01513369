/** The few styles the CLI uses; each returns its text unchanged when colour is off. */
export interface Palette {
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const style =
  (open: number, close: number) =>
  (text: string): string =>
    text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string): string => text;

/** Plain ANSI styles when `enabled`, else identity functions (no dependency needed for five codes). */
export function palette(enabled: boolean): Palette {
  if (!enabled) return { red: plain, green: plain, yellow: plain, dim: plain, bold: plain };
  return { red: style(31, 39), green: style(32, 39), yellow: style(33, 39), dim: style(2, 22), bold: style(1, 22) };
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string (no-color.org). */
export function colorWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
}
