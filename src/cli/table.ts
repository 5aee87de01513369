import { escapeControl } from '../config/escape.js';

/** Column alignment for `renderTable`. */
export type Align = 'left' | 'right';

/** How a table meets the terminal. */
export interface TableOptions {
  /** Fit within this many columns by shortening the widest cells with `…`; undefined: never shorten (pipes, `--wide`). */
  readonly width?: number | undefined;
  /** Columns that may be shortened, by index; default every column. */
  readonly shrink?: readonly number[];
  /** Columns that may be left out to fit, by index, the first to go first; a note under the table names them. */
  readonly drop?: readonly number[];
  /** Styles a cell after padding (colour), so escape codes never count toward widths. */
  readonly paint?: (text: string, row: number, column: number) => string;
}

const MIN_COLUMN = 6;

/** `agent:backend:fix-flaky-tests` → `agent:backend:fix…` within `width`. */
export function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Column widths that fit `limit`: the widest shrinkable column gives way first, none below its header or 6. */
function fitWidths(natural: readonly number[], headers: readonly string[], limit: number, shrink: readonly number[]): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  for (let guard = 0; total() > limit && guard < 10_000; guard++) {
    let widest = -1;
    for (const i of shrink) {
      const floor = Math.max(MIN_COLUMN, headers[i]?.length ?? 0);
      if ((widths[i] ?? 0) > floor && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break;
    const floor = Math.max(MIN_COLUMN, headers[widest]?.length ?? 0);
    widths[widest] = Math.max(floor, (widths[widest] ?? 0) - Math.max(1, Math.min(total() - limit, (widths[widest] ?? 0) - floor)));
  }
  return widths;
}

/** Renders rows as a plain-text table with a header rule; numbers read best right-aligned. */
export function renderTable(headers: readonly string[], raw: readonly (readonly string[])[], align: readonly Align[] = [], options: TableOptions = {}): string {
  // Cells quote what platforms and people wrote (session keys, reasons): control characters are shown, never obeyed.
  const rows = raw.map((r) => r.map((cell) => escapeControl(cell)));
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const limit = options.width;
  // Leave out whole columns before shortening any: a full key in fewer columns reads better than a cut one.
  const dropped = new Set<number>();
  const span = (): number => natural.reduce((sum, w, i) => (dropped.has(i) ? sum : sum + w + 2), -2);
  for (const i of options.drop ?? []) {
    if (limit === undefined || span() <= limit) break;
    dropped.add(i);
  }
  const kept = headers.map((_, i) => i).filter((i) => !dropped.has(i));
  const pick = <T>(cells: readonly T[]): T[] => kept.map((i) => cells[i] as T);
  const keptHeaders = pick(headers);
  const shrink = (options.shrink ?? headers.map((_, i) => i)).map((i) => kept.indexOf(i)).filter((i) => i >= 0);
  const widths = limit === undefined ? pick(natural) : fitWidths(pick(natural), keptHeaders, limit, shrink);
  const keptAlign = pick(headers.map((_, i) => align[i]));
  const line = (cells: readonly string[], row: number): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const text = shorten(cell, width);
        const padded = keptAlign[i] === 'right' ? text.padStart(width) : i === cells.length - 1 ? text : text.padEnd(width);
        return row >= 0 && options.paint ? options.paint(padded, row, kept[i] ?? i) : padded;
      })
      .join('  ')
      .trimEnd();
  const note =
    dropped.size > 0
      ? [
          `(${[...dropped]
            .sort((a, b) => a - b)
            .map((i) => headers[i])
            .join(', ')} left out to fit ${limit} columns; --wide shows every column)`,
        ]
      : [];
  return (
    [
      line(keptHeaders, -1),
      line(
        widths.map((w) => '-'.repeat(w)),
        -1,
      ),
      ...rows.map((r, i) => line(pick(r), i)),
      ...note,
    ].join('\n') + '\n'
  );
}
