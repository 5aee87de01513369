import { totalTokens as usageTotal } from '../../domain/session.js';
import { traitsOf } from '../../actions/index.js';
import { sessionState } from '../../domain/session-view.js';
import type { Palette } from '../color.js';
import { renderTable } from '../table.js';
import type { KeyResult, SessionView } from './control.js';

/** `3d4h`, `12m`, `40s`: the two largest units of a duration, for the idle and age columns. */
export function shortDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join('');
}

const count = (n: number | undefined): string => (n === undefined ? '-' : n.toLocaleString('en-US'));

/** The word for a session's state in the table: the daemon's (it knows its holds), else from the platform's row alone. */
export function stateOf(s: SessionView): string {
  return s.state ?? sessionState(s, undefined);
}

/** How tables meet the terminal: its width (undefined: never shorten) and colours. */
export interface TableStyle {
  readonly width?: number | undefined;
  readonly palette?: Palette;
}

const STATE_COLOR: Record<string, keyof Palette> = { running: 'green', stopped: 'yellow', paused: 'yellow', held: 'yellow', archived: 'dim', killed: 'yellow' };

function paintState(p: Palette, text: string, column: number): string {
  const color = column === 2 ? STATE_COLOR[text.trim()] : undefined;
  return color ? p[color](text) : text;
}

/** The `sessions list` table: key, agent, state, tokens in/out/total, cost, idle, age; the key and agent give way to fit. */
export function sessionsTable(sessions: readonly SessionView[], now: number, style: TableStyle = {}): string {
  const rows = sessions.map((s) => [
    s.key,
    s.agent,
    stateOf(s),
    count(s.usage?.input),
    count(s.usage?.output),
    count(s.usage === undefined ? undefined : usageTotal(s.usage)),
    s.usage === undefined ? '-' : `$${s.usage.cost.toFixed(4)}`,
    // OpenClaw does not move lastActivityAt during a run: a running session is not idle.
    s.active ? '0s' : s.lastActivityAt === undefined ? '-' : shortDuration(now - s.lastActivityAt),
    s.startedAt === undefined ? '-' : shortDuration(now - s.startedAt),
  ]);
  const p = style.palette;
  const headers = ['KEY', 'AGENT', 'STATE', 'IN', 'OUT', 'TOTAL', 'COST', 'IDLE', 'AGE'];
  const align: ('left' | 'right')[] = ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'];
  // The countdown of a notice, only when some session is marked: `archive in 42m`.
  if (sessions.some((s) => (s.marks?.length ?? 0) > 0)) {
    headers.push('MARKED');
    align.push('left');
    sessions.forEach((s, i) => rows[i]!.push(markText(s, now)));
  }
  return renderTable(headers, rows, align, {
    width: style.width,
    drop: [3, 4, 8, 1, 6],
    shrink: [0],
    ...(p ? { paint: (text: string, _row: number, column: number) => paintState(p, text, column) } : {}),
  });
}

/** `archive in 42m (idle-cleanup)`, `archive due now`, or `-`. */
export function markText(s: SessionView, now: number): string {
  const marks = s.marks ?? [];
  const mark = marks[0];
  if (!mark) return '-';
  const left = mark.due - now;
  return `${mark.action} ${left > 0 ? `in ${shortDuration(left)}` : 'due now'} (${mark.policy})${marks.length > 1 ? ` +${marks.length - 1}` : ''}`;
}

/** What happened to one key, in words: `paused (held)`, `already paused`, `would stop`, `refused`. */
export function resultWord(r: KeyResult): string {
  switch (r.status) {
    case 'done': {
      if (r.action === 'cleanup') return /^deleted/.test(r.detail) ? 'deleted' : 'archived';
      const { done } = traitsOf(r.action).words;
      const held = traitsOf(r.action).hold === 'places' && (r.hold === true || /\b(held|hold)\b/i.test(r.detail));
      return held ? `${done} (held)` : done;
    }
    case 'noop':
      return /^already held\b/.test(r.detail) ? 'already held' : traitsOf(r.action).words.noop;
    case 'planned':
      return `would ${r.action === 'cleanup' && /delete/.test(r.detail) ? 'delete' : r.action}`;
    case 'unknown':
      return 'no such session';
    default:
      return r.status;
  }
}

/** The detail worth printing beside the word: the source's text minus what the word already says. */
function detailOf(r: KeyResult): string {
  const text = r.detail.trim();
  if (r.status === 'planned' && /^would \w+( \S+)?$/.test(text)) return '';
  if (r.status === 'noop' && /^(already archived|not archived|no active run)$/i.test(text)) return '';
  if (r.status === 'done' && /^(archived|restored|deleted.*)$/i.test(text)) return '';
  return text;
}

/** One line per key, in order, saying what happened: `agent:qa:main  paused (held)  a main session cannot be archived; …`. */
export function resultsText(results: readonly KeyResult[], style: TableStyle = {}): string {
  if (results.length === 0) return 'Nothing to do: no session matched.\n';
  const p = style.palette;
  const color = (r: KeyResult): keyof Palette => (r.status === 'done' ? 'green' : r.status === 'noop' || r.status === 'planned' ? 'dim' : 'red');
  return renderTable(
    ['KEY', 'RESULT', 'DETAIL'],
    results.map((r) => [r.key, resultWord(r), detailOf(r)]),
    [],
    {
      width: style.width,
      shrink: [0, 2],
      ...(p ? { paint: (text: string, row: number, column: number) => (column === 1 && results[row] ? p[color(results[row])](text) : text) } : {}),
    },
  );
}

/** Total tokens of a view (input + output + cache), what `--tokens N` compares. */
export function totalTokens(s: SessionView): number {
  return s.usage === undefined ? 0 : usageTotal(s.usage);
}
